using CoKv.Generation;
using CoKv.Gguf;
using CoKv.LlamaCpp;
using Xunit.Abstractions;

namespace CoKv.Tests;

/// <summary>
/// stories260K quantized by llama.cpp's own quantizer, loaded through our loader (expanded to f32 today), against
/// llama.cpp on the same quantized file and against the F32 model.
/// </summary>
[Collection(ParityCollection.Name)]
public sealed class QuantizedStoriesTests(ParityFixture fixture, ITestOutputHelper output)
{
    [Theory]
    // No Q8_0: LLamaSharp 0.30's llama.cpp refuses stories260K's FFN rows of 172 for Q8_0 and Q4_0 (not a multiple
    // of 32) instead of falling back; Q6_K and the K_M mixes fall back per tensor. Q8_0 is covered on random models.
    [InlineData("Q6_K", 18)]
    [InlineData("Q4_K_M", 15)]
    public async Task Stories260K_quantized_by_llama_cpp_loads_and_decodes_as_llama_cpp_does(string name, int fileType)
    {
        var path = Path.Combine(TestPaths.TempDir("quantized-stories"), $"stories260K-{name}.gguf");
        LlamaCppQuantizer.Quantize(fixture.StoriesGguf, path, fileType);
        using (var file = GgufFile.Open(path))
            output.WriteLine($"{name}: {string.Join(", ", file.TypeMix().Select(c => $"{c.Tensors} {c.Type}"))}");

        using var quantized = ParityModels.Load(path);
        using var f32 = ParityModels.Load(fixture.StoriesGguf);
        using var llamaModel = LlamaCppModel.Load(path);
        using var llama = LlamaCppContext.Create(llamaModel, contextLength: 512, batchSize: 512, threads: ParityFixture.Threads);

        // Teacher-forced over BOS + "Once upon a time" + the F32 model's greedy continuation: 256 positions of text.
        var prompt = fixture.Model.Tokenize("Once upon a time", addSpecial: true, parseSpecial: false);
        int[] sequence = [.. prompt, .. fixture.Context.GenerateGreedy(prompt, 256 - prompt.Length)];
        var ours = ParityModels.AllLogits(quantized.Decoder, sequence);
        var theirs = llama.EvaluateAllLogits(sequence);
        var ourF32 = ParityModels.AllLogits(f32.Decoder, sequence);

        // Error: max |ours − reference| over a position's logits / std of the reference's, worst position.
        double vsLlama = ParityMetrics.WorstRelativeError(ours, theirs);
        double vsF32 = ParityMetrics.WorstRelativeError(ours, ourF32);
        double top1Llama = Top1Agreement(ours, theirs), top1F32 = Top1Agreement(ours, ourF32);
        var greedy = await quantized.GenerateTextAsync(new GenerationRequest { PromptTokens = prompt, MaxNewTokens = 32 });
        var llamaGreedy = llama.GenerateGreedy(prompt, 32);
        var f32Greedy = fixture.Context.GenerateGreedy(prompt, 32);
        output.WriteLine($"{name}: vs llama.cpp on the same file: error {ParityModels.Format(vsLlama)}, top-1 {top1Llama:P1}; " +
                         $"vs our F32: error {ParityModels.Format(vsF32)}, top-1 {top1F32:P1}; greedy 32 = llama.cpp's: {greedy.Tokens.SequenceEqual(llamaGreedy)}, = F32's: {greedy.Tokens.SequenceEqual(f32Greedy)}");
        output.WriteLine($"{name} greedy: {greedy.Text}");

        // llama.cpp quantizes the activations for these matrices, so equality is not the bar; agreement is (issue 11).
        Assert.True(top1Llama >= 0.99, $"{name}: top-1 agreement with llama.cpp {top1Llama:P1}");
        Assert.Equal(llamaGreedy, greedy.Tokens);
        Assert.True(vsLlama < 0.15, $"{name}: relative error vs llama.cpp {vsLlama}");
        Assert.True(top1F32 >= 0.9, $"{name}: top-1 agreement with the F32 model {top1F32:P1}");
    }

    static double Top1Agreement(float[][] a, float[][] b) =>
        a.Zip(b).Count(p => ArgMax(p.First) == ArgMax(p.Second)) / (double)a.Length;

    static int ArgMax(float[] x)
    {
        int best = 0;
        for (int i = 1; i < x.Length; i++) if (x[i] > x[best]) best = i;
        return best;
    }
}

/// <summary>llama.cpp's quantizer (what llama-quantize runs) through LLamaSharp, for tests that need quantized files.</summary>
static class LlamaCppQuantizer
{
    /// <param name="fileType">A llama_ftype: 7 = Q8_0, 15 = Q4_K_M, 18 = Q6_K, ...</param>
    public static void Quantize(string input, string output, int fileType)
    {
        LlamaCppRuntime.Initialize(TestPaths.LlamaCppBin);
        if (!LLama.LLamaQuantizer.Quantize(input, output, (LLama.Native.LLamaFtype)fileType, nthread: 1))
            throw new InvalidOperationException($"llama_model_quantize({input} → ftype {fileType}) failed");
    }
}
