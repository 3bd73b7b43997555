using CoKv.Generation;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CoKv.Tests;

[Collection(ParityCollection.Name)]
public sealed class DecoderPrecisionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Bf16_logits_stay_close_to_f32_and_generation_runs()
    {
        var path = TestPaths.SharedModel("stories260K.gguf");
        using var f32 = ParityModels.Load(path);
        using var bf16 = ParityModels.Load(path, RunDType.BF16);
        Assert.Equal(ScalarType.BFloat16, bf16.Decoder.DType);
        var tokens = f32.Tokenizer.Encode(File.ReadAllText(TestPaths.SharedModel("stories260K.greedy-once-upon-a-time.txt"))[..400]);
        double error = ParityMetrics.WorstRelativeError(ParityModels.AllLogits(bf16.Decoder, tokens), ParityModels.AllLogits(f32.Decoder, tokens));
        output.WriteLine($"bf16 vs f32 worst relative error over {tokens.Count} positions = {ParityModels.Format(error)}");
        // bf16 keeps 8 bits of mantissa (relative step 2^-8 ≈ 0.004); through 5 layers the worst position's error measured
        // 0.092 of a std (its largest logit difference; typical ones are far smaller). The bound leaves a margin of 30%.
        Assert.True(error < 0.12, $"bf16 relative error {error}");

        var result = await bf16.GenerateTextAsync(new GenerationRequest { PromptTokens = f32.Tokenizer.Encode("Once upon a time"), MaxNewTokens = 20 });
        Assert.Equal(20, result.Tokens.Count);
        Assert.StartsWith(",", result.Text);
    }

    [Fact]
    public void Prefill_in_chunks_of_7_equals_one_chunk()
    {
        using var model = ParityModels.Load(TestPaths.SharedModel("stories260K.gguf"));
        var tokens = ParityModels.Tokens(100, 512);
        var whole = ParityModels.CachedLogits(model.Decoder, tokens, chunk: 100, prefillLength: 100);
        var chunked = ParityModels.CachedLogits(model.Decoder, tokens, chunk: 7, prefillLength: 100);
        Assert.True(ParityMetrics.WorstRelativeError(chunked, whole) <= 1e-5);

        using var a = new InferenceSession(model.Decoder, 128);
        using var b = new InferenceSession(model.Decoder, 128);
        using var last1 = a.Prefill(tokens, chunkSize: 512);
        using var last7 = b.Prefill(tokens, chunkSize: 7);
        Assert.True(ParityMetrics.RelativeError(last7.data<float>().ToArray(), last1.data<float>().ToArray()) <= 1e-5);
    }
}
