using System.Runtime.InteropServices;

namespace CoKv.LlamaCpp;

/// <summary>
/// ggml's own CPU dot-product kernels and quantizers, called on raw blocks, from the build LLamaSharp loaded: the
/// reference a kernel benchmark compares our block kernels with, one type at a time and on the same bytes, without a
/// model around them. Types are ggml's type ids (GGUF's tensor type numbers).
/// </summary>
public static unsafe class GgmlCpuKernels
{
    static readonly object Gate = new();
    static nint _cpu, _base;

    /// <summary>The ggml type a weight type's dot takes its activations in (Q8_0, Q8_1 or Q8_K).</summary>
    public static int ActivationType(int type) => type switch
    {
        2 or 6 or 8 or 20 => 8,    // Q4_0, Q5_0, Q8_0, IQ4_NL × Q8_0
        3 or 7 => 9,               // Q4_1, Q5_1 × Q8_1
        10 or 11 or 12 or 13 or 14 or 23 => 15, // Q2_K…Q6_K, IQ4_XS × Q8_K
        _ => throw new NotSupportedException($"no ggml dot kernel is bound for type {type}"),
    };

    /// <summary>Rounds n floats into the activation type's blocks (ggml's quantize_row_q8_0/q8_1/q8_K).</summary>
    public static void QuantizeActivations(int activationType, float* x, void* destination, long n)
    {
        Load();
        var name = activationType switch { 8 => "quantize_row_q8_0", 9 => "quantize_row_q8_1", 15 => "quantize_row_q8_K", _ => throw new NotSupportedException($"activation type {activationType}") };
        ((delegate* unmanaged<float*, void*, long, void>)Symbol(_cpu, name))(x, destination, n);
    }

    /// <summary>Quantizes rows × perRow floats into <paramref name="destination"/> (ggml_quantize_chunk, no importance matrix).</summary>
    public static nuint Quantize(int type, float* source, void* destination, long rows, long perRow)
    {
        Load();
        return ((delegate* unmanaged<int, float*, void*, long, long, long, float*, nuint>)Symbol(_base, "ggml_quantize_chunk"))(type, source, destination, 0, rows, perRow, null);
    }

    /// <summary>Bytes of one row of n values of a type (ggml_row_size).</summary>
    public static nuint RowSize(int type, long n)
    {
        Load();
        return ((delegate* unmanaged<int, long, nuint>)Symbol(_base, "ggml_row_size"))(type, n);
    }

    /// <summary>ggml's vec_dot for a weight type against its activation type.</summary>
    public static void Dot(int type, int n, float* result, void* row, void* activations)
    {
        Load();
        ((delegate* unmanaged<int, float*, nuint, void*, nuint, void*, nuint, int, void>)DotPointer(type))(n, result, 0, row, 0, activations, 0, 1);
    }

    /// <summary>The function pointer of <see cref="Dot"/>'s kernel, for timing loops that call it directly.</summary>
    public static nint DotPointer(int type)
    {
        Load();
        return Symbol(_cpu, VecDotName(type));
    }

    static string VecDotName(int type) => type switch
    {
        2 => "ggml_vec_dot_q4_0_q8_0", 3 => "ggml_vec_dot_q4_1_q8_1", 6 => "ggml_vec_dot_q5_0_q8_0", 7 => "ggml_vec_dot_q5_1_q8_1",
        8 => "ggml_vec_dot_q8_0_q8_0", 10 => "ggml_vec_dot_q2_K_q8_K", 11 => "ggml_vec_dot_q3_K_q8_K", 12 => "ggml_vec_dot_q4_K_q8_K",
        13 => "ggml_vec_dot_q5_K_q8_K", 14 => "ggml_vec_dot_q6_K_q8_K", 20 => "ggml_vec_dot_iq4_nl_q8_0", 23 => "ggml_vec_dot_iq4_xs_q8_K",
        _ => throw new NotSupportedException($"no ggml dot kernel is bound for type {type}"),
    };

    static void Load()
    {
        lock (Gate)
        {
            if (_cpu != 0) return;
            LlamaCppRuntime.EnsureInitialized();
            // Already loaded beside libllama; loading by name finds that copy, so these are the kernels llama.cpp runs.
            _base = LoadLoaded("ggml-base");
            _cpu = LoadLoaded("ggml-cpu");
            ((delegate* unmanaged<void>)Symbol(_cpu, "ggml_cpu_init"))();
        }
    }

    static nint LoadLoaded(string name)
    {
        var file = OperatingSystem.IsWindows() ? name + ".dll" : OperatingSystem.IsMacOS() ? "lib" + name + ".dylib" : "lib" + name + ".so";
        if (NativeLibrary.TryLoad(file, out var handle)) return handle;
        if (OperatingSystem.IsLinux())
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash >= 0 && line.EndsWith("/" + file, StringComparison.Ordinal) && NativeLibrary.TryLoad(line[slash..], out handle)) return handle;
            }
        throw new LlamaCppNotFoundException(LlamaCppRuntime.BinDirectory, [$"{file} is not loaded beside llama.cpp"]);
    }

    static nint Symbol(nint library, string name) =>
        NativeLibrary.TryGetExport(library, name, out var address) ? address
            : throw new EntryPointNotFoundException($"llama.cpp's ggml build has no '{name}'.");
}
