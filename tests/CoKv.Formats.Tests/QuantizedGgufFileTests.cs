using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using CoKv.Gguf;
using CoKv.Models;
using CoKv.Tests;
using Xunit.Abstractions;

namespace CoKv.Formats.Tests;

/// <summary>
/// Files quantized by llama.cpp's own quantizer (llama_model_quantize, what llama-quantize runs) from a random F32
/// model: every tensor, whatever mix of types the quantizer chose, reads bit-exactly as ggml dequantizes it.
/// </summary>
[Collection(LlamaCppCollection.Name)]
public sealed class QuantizedGgufFileTests(ITestOutputHelper output)
{
    static readonly Lazy<string> F32Model = new(WriteF32Model);
    static readonly ConcurrentDictionary<string, string> Quantized = new();

    /// <summary>
    /// Hidden 256 (a multiple of 256, so K types are used) and FFN 288 (a multiple of 32 but not of 256, so
    /// ffn_down falls back to legacy types, as d = 576 does in SmolLM2-135M).
    /// </summary>
    public static ModelConfig Config { get; } = GgufTestModels.Config() with
    {
        VocabSize = 64, HiddenSize = 256, IntermediateSize = 288, HeadCount = 4, KvHeadCount = 2, HeadDim = 64, LayerCount = 2,
    };

    static string WriteF32Model()
    {
        var path = Path.Combine(TestPaths.TempDir("quantized-gguf"), "random-f32.gguf");
        var tensors = GgufTestModels.RandomTensors(Config, seed: 11);
        // Trained weights are small; uniform in ±0.05 keeps the quantizers in their usual range.
        foreach (var (_, data) in tensors.Values)
            for (int i = 0; i < data.Length; i++) data[i] *= 0.05f;
        GgufModelWriter.Write(path, Config, tensors, GgufTestModels.TokenizerMetadata(Config.VocabSize));
        return path;
    }

    public static string QuantizedModel(string fileType) => Quantized.GetOrAdd(fileType, ft =>
    {
        var path = Path.Combine(Path.GetDirectoryName(F32Model.Value)!, $"random-{ft}.gguf");
        GgmlReference.QuantizeModel(F32Model.Value, path, LlamaFileType.ByName[ft]);
        return path;
    });

    public static TheoryData<string> FileTypes() => new(FileTypeNames);

    static readonly string[] FileTypeNames =
        ["Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K", "IQ4_NL", "IQ4_XS"];

    [Theory]
    [MemberData(nameof(FileTypes))]
    public void Every_tensor_reads_as_ggml_dequantizes_it(string fileType)
    {
        var path = QuantizedModel(fileType);
        using var file = GgufFile.Open(path);
        output.WriteLine($"{fileType}: " + string.Join(", ", file.TypeMix().Select(c => $"{c.Tensors} {c.Type}")));
        int quantized = 0;
        foreach (var t in file.Tensors)
        {
            var data = file.GetTensorData(t);
            var ours = new float[t.ElementCount];
            data.DequantizeRows(0, (int)data.RowCount, ours);
            var bytes = data.RowBytes(0, (int)data.RowCount);
            // ggml has no to_float for F32 (it is the identity): the stored floats are the reference then.
            var ggml = t.Type == GgmlType.F32 ? MemoryMarshal.Cast<byte, float>(bytes).ToArray() : GgmlReference.Dequantize(t.Type, bytes, t.ElementCount);
            for (int i = 0; i < ours.Length; i++)
                if (BitConverter.SingleToInt32Bits(ours[i]) != BitConverter.SingleToInt32Bits(ggml[i]))
                    Assert.Fail($"{fileType}: tensor {t.Name} ({t.Type}) value {i}: ours {ours[i]:R}, ggml {ggml[i]:R}");
            if (data.BlockSize > 1) quantized++;
        }
        // Seven matrices per layer, the token embedding and the classifier: all quantized; only the norms stay F32.
        Assert.Equal(Config.LayerCount * 7 + 2, quantized);

        // And through the loader's weight source (HF names and row order): the same values, no type refused.
        using var source = GgufWeightSource.Open(path);
        using var reference = GgufWeightSource.Open(F32Model.Value);
        foreach (var info in source.Tensors)
        {
            var q = new float[info.ElementCount];
            var f = new float[info.ElementCount];
            source.ReadFloat32(info.Name, q);
            reference.ReadFloat32(info.Name, f);
            // The quantization error of these types on ±0.05 weights stays well under the weights' own scale.
            double maxErr = q.Zip(f).Max(z => Math.Abs(z.First - z.Second));
            Assert.True(maxErr < 0.03, $"{fileType}: {info.Name} max error {maxErr}");
        }
    }

    [Fact]
    public void The_files_llama_cpp_writes_cover_all_twelve_common_types()
    {
        var seen = new HashSet<GgmlType>();
        foreach (var ft in FileTypeNames)
        {
            using var file = GgufFile.Open(QuantizedModel(ft));
            seen.UnionWith(file.Tensors.Select(t => t.Type));
        }
        GgmlType[] common = [GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0, GgmlType.Q2_K, GgmlType.Q3_K,
            GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.IQ4_NL, GgmlType.IQ4_XS];
        Assert.All(common, t => Assert.Contains(t, seen));
        Assert.All(seen, t => Assert.True(GgmlTypes.IsReadable(t), $"llama.cpp wrote {t}, which we cannot read"));
    }

    [Fact]
    public void Raw_rows_and_dequantized_rows_agree_with_the_whole_tensor_and_keep_the_llama_row_order()
    {
        using var source = GgufWeightSource.Open(QuantizedModel("Q4_K_M"));
        const string name = "model.layers.1.self_attn.q_proj.weight";
        var data = source.GetTensorData(name);
        Assert.Equal(Config.HiddenSize, data.RowLength);
        Assert.Equal(Config.HeadCount * Config.HeadDim, data.RowCount);
        Assert.Equal(data.RowLength / data.BlockSize * data.BlockBytes, data.RowStride);

        var whole = new float[data.RowCount * data.RowLength];
        source.ReadFloat32(name, whole); // HF row order
        var order = source.StoredRowOrder(name)!;
        Assert.NotNull(order);
        var row = new float[data.RowLength];
        var copy = new byte[data.RowStride * 3];
        data.CopyRows(5, copy);
        Assert.True(copy.AsSpan().SequenceEqual(data.RowBytes(5, 3)));
        for (int r = 0; r < data.RowCount; r++)
        {
            data.DequantizeRows(order[r], 1, row);
            Assert.True(row.AsSpan().SequenceEqual(whole.AsSpan(r * (int)data.RowLength, (int)data.RowLength)), $"row {r}");
        }
        Assert.Null(source.StoredRowOrder("model.layers.1.mlp.down_proj.weight"));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.DequantizeRows(data.RowCount - 1, 2, new float[2 * data.RowLength]));
    }

    [Fact]
    public void A_file_with_unsupported_types_names_each_type_with_its_count()
    {
        using var f32 = GgufFile.Open(F32Model.Value);
        var w = new GgufWriter();
        foreach (var (key, value) in f32.Metadata) w.Set(key, value);
        var rng = new Random(3);
        int iq2 = 0, tq2 = 0;
        foreach (var t in f32.Tensors)
        {
            var type = t.Dimensions.Length == 2 && t.Name.Contains("attn_") ? (t.Name.Contains("attn_q") ? GgmlType.TQ2_0 : GgmlType.IQ2_XXS) : GgmlType.F32;
            if (type == GgmlType.F32)
            {
                var values = new float[t.ElementCount];
                f32.ReadFloat32(t, values);
                w.AddTensor(t.Name, t.Shape, values);
                continue;
            }
            var bytes = new byte[t.ElementCount / 256 * GgmlTypes.Layout(type)!.Value.BlockBytes];
            rng.NextBytes(bytes);
            w.AddRawTensor(t.Name, t.Shape, type, bytes);
            if (type == GgmlType.TQ2_0) tq2++; else iq2++;
        }
        var path = Path.Combine(TestPaths.TempDir("unsupported-gguf"), "iq2.gguf");
        w.Write(path);

        var e = Assert.Throws<ModelFormatException>(() => ModelFiles.Open(path));
        Assert.Contains($"IQ2_XXS ({iq2} tensors", e.Message);
        Assert.Contains($"TQ2_0 ({tq2} tensors", e.Message);
        Assert.Contains($"{iq2 + tq2} of {f32.Tensors.Count} tensors", e.Message);

        // The file itself still opens: its type mix can be shown before anything is loaded.
        using var file = GgufFile.Open(path);
        var mix = file.TypeMix();
        Assert.Equal((iq2, false), mix.Where(c => c.Type == GgmlType.IQ2_XXS).Select(c => (c.Tensors, c.Readable)).Single());
        Assert.Equal(file.Tensors.Sum(t => t.ByteCount!.Value), mix.Sum(c => c.Bytes!.Value));
        Assert.Equal(2.0625, mix.Single(c => c.Type == GgmlType.IQ2_XXS).BitsPerValue);
    }
}
