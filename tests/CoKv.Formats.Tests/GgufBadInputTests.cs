using CoKv.Gguf;
using CoKv.Models;
using CoKv.Tests;

namespace CoKv.Formats.Tests;

/// <summary>Corrupt and unsupported GGUF files: each fails with a ModelFormatException naming the file and the problem.</summary>
public class GgufBadInputTests
{
    static string ValidModel(out byte[] bytes)
    {
        var config = GgufTestModels.Config();
        var path = Path.Combine(TestPaths.TempDir("gguf-bad"), "ok.gguf");
        GgufModelWriter.Write(path, config, GgufTestModels.RandomTensors(config), GgufTestModels.TokenizerMetadata(config.VocabSize));
        bytes = File.ReadAllBytes(path);
        return path;
    }

    static string Variant(string validPath, string name, byte[] bytes)
    {
        var path = Path.Combine(Path.GetDirectoryName(validPath)!, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    static ModelFormatException Fails(string path, params string[] expected)
    {
        var e = Assert.Throws<ModelFormatException>(() =>
        {
            using var source = GgufWeightSource.Open(path);
        });
        Assert.Contains(path, e.Message);
        foreach (var s in expected) Assert.Contains(s, e.Message);
        return e;
    }

    [Fact]
    public void Truncated_anywhere_in_the_header_is_reported()
    {
        var ok = ValidModel(out var bytes);
        using (var f = GgufFile.Open(ok))
            foreach (var cut in new[] { 0L, 3, 10, 20, 100, 1000, f.DataOffset - 40 })
                Fails(Variant(ok, $"cut{cut}.gguf", bytes[..(int)cut]), "truncated");
    }

    [Fact]
    public void Tensor_data_past_the_end_is_reported()
    {
        var ok = ValidModel(out var bytes);
        Fails(Variant(ok, "short.gguf", bytes[..(bytes.Length - 100)]), "past the end of the file");
    }

    [Fact]
    public void Wrong_magic_is_reported()
    {
        var ok = ValidModel(out var bytes);
        bytes[0] = (byte)'X';
        Fails(Variant(ok, "magic.gguf", bytes), "not a GGUF file");
        Fails(Variant(ok, "text.gguf", "hello, this is not a model"u8.ToArray()), "not a GGUF file");
    }

    [Fact]
    public void Unsupported_version_is_reported()
    {
        var ok = ValidModel(out var bytes);
        bytes[4] = 1;
        Fails(Variant(ok, "v1.gguf", bytes), "version 1");
    }

    [Fact]
    public void Unsupported_tensor_type_is_refused_by_name()
    {
        var dir = TestPaths.TempDir("gguf-iq2");
        var path = Path.Combine(dir, "iq2.gguf");
        new GgufWriter().Set("general.architecture", "llama").AddTensor("blk.0.attn_q.weight", [1, 256], new float[256]).Write(path);
        var bytes = File.ReadAllBytes(path);
        int at = GgufTestModels.TensorInfoOffset(bytes, "blk.0.attn_q.weight");
        // n_dims (u32), 2 dims (i64), then the type.
        BitConverter.TryWriteBytes(bytes.AsSpan(at + 4 + 16), (uint)GgmlType.IQ2_XXS);
        File.WriteAllBytes(path, bytes);
        using var file = GgufFile.Open(path); // the header itself is fine
        Assert.Equal(GgmlType.IQ2_XXS, file.Tensors[0].Type);
        var e = Assert.Throws<ModelFormatException>(() => file.ReadFloat32(file.Tensors[0], new float[256]));
        Assert.Contains("tensor blk.0.attn_q.weight has type IQ2_XXS, which is not supported; supported: F32, F16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K", e.Message);
        var e2 = Assert.Throws<ModelFormatException>(() => new GgufWeightSource(file, GgufTestModels.Config()));
        Assert.Contains("IQ2_XXS (1 tensor, e.g. blk.0.attn_q.weight)", e2.Message);
    }

    [Fact]
    public void Dimensions_whose_element_count_overflows_are_reported()
    {
        var dir = TestPaths.TempDir("gguf-overflow");
        var path = Path.Combine(dir, "big.gguf");
        new GgufWriter().Set("general.architecture", "llama").AddTensor("token_embd.weight", [2, 2], new float[4]).Write(path);
        var bytes = File.ReadAllBytes(path);
        int at = GgufTestModels.TensorInfoOffset(bytes, "token_embd.weight");
        BitConverter.TryWriteBytes(bytes.AsSpan(at + 4), 1L << 40);
        BitConverter.TryWriteBytes(bytes.AsSpan(at + 12), 1L << 40);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ModelFormatException>(() => GgufFile.Open(path));
        Assert.Contains("overflows", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Tensor_larger_than_available_memory_is_refused_before_allocation()
    {
        // A sparse file really holds the tensor's bytes, so only the memory check can object.
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        long rows = available / 4 / 1024 + 1;
        var dir = TestPaths.TempDir("gguf-memory");
        var path = Path.Combine(dir, "huge.gguf");
        new GgufWriter().Set("general.architecture", "llama").AddTensor("output_norm.weight", [1, 1024], new float[1024]).Write(path);
        var bytes = File.ReadAllBytes(path);
        int at = GgufTestModels.TensorInfoOffset(bytes, "output_norm.weight");
        BitConverter.TryWriteBytes(bytes.AsSpan(at + 12), rows);
        using (var s = new FileStream(path, FileMode.Create))
        {
            s.Write(bytes);
            s.SetLength(bytes.Length - 4096 + rows * 4096 + 64);
        }
        using var file = GgufFile.Open(path);
        var e = Assert.Throws<ModelFormatException>(() => new GgufWeightSource(file, GgufTestModels.Config()));
        Assert.Contains("memory", e.Message);
        Assert.Contains(path, e.Message);
        File.Delete(path);
    }

    [Fact]
    public void Unsupported_architecture_is_refused_by_name()
    {
        var path = Path.Combine(TestPaths.TempDir("gguf-arch"), "gpt2.gguf");
        new GgufWriter().Set("general.architecture", "gpt2").Set("gpt2.block_count", 1u).AddTensor("token_embd.weight", [4, 4], new float[16]).Write(path);
        using var file = GgufFile.Open(path);
        var e = Assert.Throws<ModelFormatException>(() => GgufConfig.ToModelConfig(file));
        Assert.Contains("'gpt2' is not supported", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Corrupt_counts_do_not_allocate()
    {
        var ok = ValidModel(out var bytes);
        var huge = (byte[])bytes.Clone();
        BitConverter.TryWriteBytes(huge.AsSpan(16), long.MaxValue); // metadata count
        Fails(Variant(ok, "kv.gguf", huge), "corrupt or truncated");
        var arr = (byte[])bytes.Clone();
        int at = arr.AsSpan().IndexOf("tokenizer.ggml.tokens"u8) + "tokenizer.ggml.tokens".Length;
        BitConverter.TryWriteBytes(arr.AsSpan(at + 8), 1UL << 50); // type (u32) Array, element type (u32), then the count
        Fails(Variant(ok, "arr.gguf", arr), "tokenizer.ggml.tokens");
    }
}
