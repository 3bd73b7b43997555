using CoKv.LlamaCpp;
using Xunit.Abstractions;

namespace CoKv.Tests;

/// <summary>
/// Random-weight GQA models (8 query heads, 2 KV heads) written as GGUF for llama.cpp and as a Hugging Face folder:
/// qwen2 with q/k/v biases, qwen3 with q/k norms and head_dim ≠ hidden/heads, llama with llama3 RoPE scaling, and a
/// plain llama; tied and untied classifiers.
/// </summary>
[Collection(ParityCollection.Name)]
public sealed class ParityRandomModelTests(ParityFixture fixture, ITestOutputHelper output)
{
    // ParityMetrics.RelativeError: max |ours − llama.cpp| / std(llama.cpp), per position. Measured 3.0e-6 to 5.6e-6 over the
    // four models (and 4.0e-6 cached vs uncached): the bound leaves a margin of about 4.
    const double Tolerance = 2e-5;

    [Theory]
    [InlineData("qwen2-bias-untied")]
    [InlineData("qwen3-qknorm-tied")]
    [InlineData("llama3-scaling-untied")]
    [InlineData("llama-tied")]
    public void Gguf_logits_match_llama_cpp_and_the_hugging_face_copy_matches_the_gguf(string name)
    {
        var config = ParityModels.Config(name);
        var tensors = ParityModels.RandomTensors(config);
        var dir = TestPaths.TempDir("parity-" + name);
        var gguf = ParityModels.WriteGguf(dir, name, config, tensors, fixture.StoriesTokenizerKeys);
        var hf = ParityModels.WriteHuggingFace(Path.Combine(dir, "hf"), config, tensors);
        var tokens = ParityModels.Tokens(64, config.VocabSize);

        float[][] theirs;
        using (var reference = LlamaCppModel.Load(gguf))
        using (var context = LlamaCppContext.Create(reference, contextLength: 64, batchSize: 64, threads: ParityFixture.Threads))
            theirs = context.EvaluateAllLogits(tokens);

        using var fromGguf = ParityModels.Load(gguf);
        // A GGUF carries llama3 scaling as the rope_freqs tensor, not as parameters.
        Assert.Equal(config with { RopeScaling = null }, fromGguf.Config);
        var ours = ParityModels.AllLogits(fromGguf.Decoder, tokens);
        double error = ParityMetrics.WorstRelativeError(ours, theirs);
        output.WriteLine($"{name}: GGUF vs llama.cpp worst relative error = {ParityModels.Format(error)}");
        Assert.True(error <= Tolerance, $"{name}: relative logits error vs llama.cpp {error}");

        var cached = ParityModels.CachedLogits(fromGguf.Decoder, tokens, chunk: 16, prefillLength: 48);
        Assert.True(ParityMetrics.WorstRelativeError(cached, ours) <= Tolerance, $"{name}: cached path differs");

        using var fromHf = ParityModels.Load(hf);
        Assert.Equal(fromGguf.Fingerprint, fromHf.Fingerprint);
        double hfError = ParityMetrics.WorstRelativeError(ParityModels.AllLogits(fromHf.Decoder, tokens), ours);
        output.WriteLine($"{name}: HF folder vs GGUF (ours) worst relative error = {ParityModels.Format(hfError)}");
        Assert.True(hfError <= 1e-6, $"{name}: the HF copy gives other logits ({hfError})");
    }
}
