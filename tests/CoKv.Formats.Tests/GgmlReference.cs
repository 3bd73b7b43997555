using System.Runtime.InteropServices;
using CoKv.Gguf;
using CoKv.LlamaCpp;
using CoKv.Tests;

namespace CoKv.Formats.Tests;

/// <summary>
/// llama.cpp's own quantizer and dequantizer (LLamaSharp's libggml-base / libllama), called through function pointers
/// so that the bytes our readers see are dequantized by ggml itself for comparison.
/// </summary>
static unsafe class GgmlReference
{
    static readonly nint Base;
    static readonly nint Llama;

    static GgmlReference()
    {
        // The build LLamaSharp loaded: once it is in the process, loading by file name finds the same libraries.
        LlamaCppRuntime.Initialize(TestPaths.LlamaCppBin);
        LLama.Native.NativeApi.llama_empty_call();
        Base = NativeLibrary.Load("libggml-base.so");
        Llama = NativeLibrary.Load("libllama.so");
    }

    // ggml.h: struct ggml_type_traits, as gcc lays it out on x64.
    [StructLayout(LayoutKind.Sequential)]
    struct TypeTraits
    {
        public nint TypeName;
        public long BlockSize;
        public long BlockSizeInterleave;
        public nuint TypeSize;
        [MarshalAs(UnmanagedType.U1)] public bool IsQuantized;
        public nint ToFloat;
        public nint FromFloatRef;
    }

    // llama.h: struct llama_model_quantize_params (64 bytes on x64).
    [StructLayout(LayoutKind.Sequential)]
    public struct QuantizeParams
    {
        public int Threads;
        public int FileType;
        public int OutputTensorType;
        public int TokenEmbeddingType;
        public byte AllowRequantize;
        public byte QuantizeOutputTensor;
        public byte OnlyCopy;
        public byte Pure;
        public byte KeepSplit;
        public byte DryRun;
        public nint Imatrix;
        public nint KvOverrides;
        public nint TensorOverrides;
        public nint PruneLayers;
        public nuint MaxBufferSize;
    }

    static TypeTraits* Traits(GgmlType type) =>
        ((delegate* unmanaged<int, TypeTraits*>)NativeLibrary.GetExport(Base, "ggml_get_type_traits"))((int)type);

    public static (long BlockSize, long BlockBytes) Layout(GgmlType type)
    {
        var t = Traits(type);
        return (t->BlockSize, (long)t->TypeSize);
    }

    /// <summary>ggml's to_float for the type (the dequantize_row_* of ggml-quants.c).</summary>
    public static float[] Dequantize(GgmlType type, ReadOnlySpan<byte> blocks, long count)
    {
        var toFloat = (delegate* unmanaged<byte*, float*, long, void>)Traits(type)->ToFloat;
        if (toFloat == null) throw new InvalidOperationException($"ggml has no to_float for {type}");
        var result = new float[count];
        fixed (byte* s = blocks)
        fixed (float* d = result)
            toFloat(s, d, count);
        return result;
    }

    /// <summary>ggml_quantize_chunk: quantizes <paramref name="rows"/> rows of <paramref name="rowLength"/> values.</summary>
    public static byte[] Quantize(GgmlType type, float[] values, int rows, int rowLength)
    {
        var (blockSize, blockBytes) = Layout(type);
        var result = new byte[values.Length / blockSize * blockBytes];
        var quantize = (delegate* unmanaged<int, float*, byte*, long, long, long, float*, nuint>)NativeLibrary.GetExport(Base, "ggml_quantize_chunk");
        nuint written;
        fixed (float* s = values)
        fixed (byte* d = result)
            written = quantize((int)type, s, d, 0, rows, rowLength, null);
        if ((long)written != result.Length) throw new InvalidOperationException($"ggml_quantize_chunk wrote {written} bytes, expected {result.Length}");
        return result;
    }

    public static QuantizeParams DefaultQuantizeParams() =>
        ((delegate* unmanaged<QuantizeParams>)NativeLibrary.GetExport(Llama, "llama_model_quantize_default_params"))();

    /// <summary>llama_model_quantize: what llama-quantize does, to <paramref name="fileType"/> (a llama_ftype).</summary>
    public static void QuantizeModel(string input, string output, int fileType)
    {
        var p = DefaultQuantizeParams();
        p.FileType = fileType;
        p.Threads = 1;
        var quantize = (delegate* unmanaged<byte*, byte*, QuantizeParams*, uint>)NativeLibrary.GetExport(Llama, "llama_model_quantize");
        var inBytes = System.Text.Encoding.UTF8.GetBytes(input + "\0");
        var outBytes = System.Text.Encoding.UTF8.GetBytes(output + "\0");
        uint rc;
        fixed (byte* i = inBytes)
        fixed (byte* o = outBytes)
            rc = quantize(i, o, &p);
        if (rc != 0) throw new InvalidOperationException($"llama_model_quantize({input} → ftype {fileType}) failed with {rc}");
    }
}

/// <summary>llama.h's llama_ftype values: what llama-quantize calls Q4_K_M etc.</summary>
static class LlamaFileType
{
    public static readonly IReadOnlyDictionary<string, int> ByName = new Dictionary<string, int>
    {
        ["Q4_0"] = 2, ["Q4_1"] = 3, ["Q8_0"] = 7, ["Q5_0"] = 8, ["Q5_1"] = 9, ["Q2_K"] = 10,
        ["Q3_K_S"] = 11, ["Q3_K_M"] = 12, ["Q3_K_L"] = 13, ["Q4_K_S"] = 14, ["Q4_K_M"] = 15,
        ["Q5_K_S"] = 16, ["Q5_K_M"] = 17, ["Q6_K"] = 18, ["IQ4_NL"] = 25, ["IQ4_XS"] = 30,
    };
}
