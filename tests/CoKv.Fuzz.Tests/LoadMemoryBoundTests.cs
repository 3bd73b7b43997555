using System.Text;
using CoKv.Decoding;
using CoKv.Models;
using CoKv.Tests;
using Xunit.Abstractions;

namespace CoKv.Fuzz.Tests;

/// <summary>
/// DecoderLoader's stated bound: loading takes the weights plus a small constant, and a header claiming huge
/// dimensions is refused with a ModelFormatException before anything sized by them is allocated.
/// </summary>
public sealed class LoadMemoryBoundTests(ITestOutputHelper output)
{
    /// <summary>The constant of the bound: header, tokenizer, tensor infos, rope factors, allocator slack.</summary>
    const long ConstantBytes = 64L << 20;

    static long Resident() => OperatingSystem.IsLinux()
        ? long.Parse(File.ReadAllText("/proc/self/statm").Split(' ')[1]) * Environment.SystemPageSize
        : Environment.WorkingSet;

    static string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(TestPaths.TempDir("huge-header"), name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static TheoryData<string> HugeHeaders =>
    [
        "gguf: token_embd.weight ne[1] = 2^40",
        "gguf: llama.embedding_length = 2^31 - 1",
        "gguf: llama.block_count = 2^31 - 1",
        "gguf: llama.feed_forward_length = 2^31 - 1",
        "gguf: tensor count = 2^40",
        "llama2c: n_layers = 2^31 - 1",
        "llama2c: dim = 2^30",
        "hf: hidden_size = 2^30, intermediate_size = 2^31 - 1",
        "safetensors: shape [2^20, 2^20]",
    ];

    [Theory]
    [MemberData(nameof(HugeHeaders))]
    public void A_header_claiming_huge_dimensions_is_refused_without_allocating(string corruption)
    {
        var stories = File.ReadAllBytes(Fixtures.Shared("stories260K.gguf"));
        var bin = File.ReadAllBytes(Fixtures.Shared("stories260K.bin"));
        string path = corruption switch
        {
            "gguf: token_embd.weight ne[1] = 2^40" => Write("m.gguf", Edits.Gguf(stories, "token_embd.weight ne[1]", 1L << 40)),
            "gguf: llama.embedding_length = 2^31 - 1" => Write("m.gguf", Edits.Gguf(stories, "llama.embedding_length", int.MaxValue)),
            "gguf: llama.block_count = 2^31 - 1" => Write("m.gguf", Edits.Gguf(stories, "llama.block_count", int.MaxValue)),
            "gguf: llama.feed_forward_length = 2^31 - 1" => Write("m.gguf", Edits.Gguf(stories, "llama.feed_forward_length", int.MaxValue)),
            "gguf: tensor count = 2^40" => Write("m.gguf", Edits.Gguf(stories, "tensor count", 1L << 40)),
            "llama2c: n_layers = 2^31 - 1" => Write("m.bin", Edits.Llama2c(bin, 2, int.MaxValue)),
            "llama2c: dim = 2^30" => Write("m.bin", Edits.Llama2c(bin, 0, 1 << 30)),
            "hf: hidden_size = 2^30, intermediate_size = 2^31 - 1" => HfFolder(),
            _ => Safetensors(),
        };
        string? tokenizer = path.EndsWith(".bin", StringComparison.Ordinal) ? Fixtures.Shared("tok512.bin") : null;
        GC.Collect();
        long rss = Resident(), allocated = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.ThrowsAny<ModelFormatException>(() => Loaders.Model(path, tokenizer));
        long allocatedDelta = GC.GetAllocatedBytesForCurrentThread() - allocated, rssDelta = Resident() - rss;
        output.WriteLine($"{corruption}: {e.Message}\n  allocated {allocatedDelta:N0} bytes, resident +{rssDelta:N0} bytes");
        Assert.Contains(Path.GetDirectoryName(path)!, e.Message);
        Assert.True(allocatedDelta < 16 << 20, $"allocated {allocatedDelta:N0} bytes before refusing");
        Assert.True(rssDelta < ConstantBytes, $"resident memory rose {rssDelta:N0} bytes before refusing");
    }

    static string HfFolder()
    {
        var dir = Fixtures.WriteBpeFolder(TestPaths.TempDir("huge-hf"));
        Edits.Json(Path.Combine(dir, "config.json"), root => { root["hidden_size"] = 1 << 30; root["intermediate_size"] = int.MaxValue; });
        return dir;
    }

    static string Safetensors()
    {
        var dir = Fixtures.WriteBpeFolder(TestPaths.TempDir("huge-st"));
        var weights = Path.Combine(dir, "model.safetensors");
        Edits.Safetensors(weights, Encoding.UTF8.GetBytes("""{"model.embed_tokens.weight":{"dtype":"F32","shape":[1048576,1048576],"data_offsets":[0,16]}}"""), 16);
        return dir;
    }

    [Theory]
    [InlineData("stories260K.gguf")]
    [InlineData("stories260K.bin")]
    [InlineData("cokv-default.gguf")]
    public void Loading_takes_the_weights_plus_a_small_constant(string model)
    {
        var path = model == "cokv-default.gguf" ? Fixtures.DefaultModel : Fixtures.Shared(model);
        var tokenizer = model.EndsWith(".bin", StringComparison.Ordinal) ? Fixtures.Shared("tok512.bin") : null;
        Loaders.Model(path, tokenizer); // libtorch and the JIT warmed up: what follows is the load alone
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long rss = Resident(), allocated = GC.GetAllocatedBytesForCurrentThread();
        using var bundle = ModelFiles.Open(path, tokenizer);
        using var decoder = DecoderLoader.Load(bundle.Config, bundle.Weights);
        long weights = bundle.Config.ParameterCount() * 4;
        long allocatedDelta = GC.GetAllocatedBytesForCurrentThread() - allocated, rssDelta = Resident() - rss;
        output.WriteLine($"{model}: weights {weights:N0} bytes as f32; managed allocations {allocatedDelta:N0} bytes; resident +{rssDelta:N0} bytes");
        Assert.True(rssDelta < weights + ConstantBytes, $"resident memory rose {rssDelta:N0} bytes for {weights:N0} bytes of weights");
        Assert.True(allocatedDelta < ConstantBytes, $"{allocatedDelta:N0} bytes of managed allocations beside the weights");
    }
}
