using CoKv.Generation;
using static TorchSharp.torch;

namespace CoKv.Tests;

[Collection(ParityCollection.Name)]
public sealed class GenerationSamplingTests : IDisposable
{
    readonly LocalModel _model = ParityModels.Load(TestPaths.SharedModel("stories260K.gguf"));

    public void Dispose() => _model.Dispose();

    Task<GenerationResult> Run(SamplingOptions sampling, int tokens = 40) =>
        _model.GenerateTextAsync(new GenerationRequest { PromptTokens = _model.Tokenizer.Encode("Once upon a time"), MaxNewTokens = tokens, Sampling = sampling });

    [Fact]
    public async Task A_seed_gives_the_same_text_and_another_seed_other_text()
    {
        var a = await Run(new SamplingOptions { Temperature = 1.0, Seed = 7 });
        var b = await Run(new SamplingOptions { Temperature = 1.0, Seed = 7 });
        var c = await Run(new SamplingOptions { Temperature = 1.0, Seed = 8 });
        Assert.Equal(a.Tokens, b.Tokens);
        Assert.NotEqual(a.Tokens, c.Tokens);
    }

    [Fact]
    public async Task Top_k_one_and_a_tiny_top_p_are_greedy()
    {
        var greedy = await Run(SamplingOptions.Greedy);
        var topK = await Run(new SamplingOptions { Temperature = 1.5, TopK = 1, Seed = 3 });
        var topP = await Run(new SamplingOptions { Temperature = 1.5, TopP = 1e-6, Seed = 3 });
        Assert.Equal(greedy.Tokens, topK.Tokens);
        Assert.Equal(greedy.Tokens, topP.Tokens);
    }

    [Fact]
    public void Repetition_penalty_divides_positive_and_multiplies_negative_logits_of_seen_tokens()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new[] { 3.0f, -2.0f, 1.0f, 0.5f });
        var penalised = Sampler.ApplyRepetitionPenalty(logits, [0, 1, 1], 2.0).data<float>().ToArray();
        Assert.Equal([1.5f, -4.0f, 1.0f, 0.5f], penalised);
        // Greedy picks token 0 without the penalty, token 2 with it.
        Assert.Equal(0, new Sampler(SamplingOptions.Greedy).Next(logits, [0]));
        Assert.Equal(2, new Sampler(new SamplingOptions { RepetitionPenalty = 4.0 }).Next(logits, [0]));
    }

    [Fact]
    public async Task A_repetition_penalty_changes_a_repetitive_greedy_text()
    {
        var plain = await Run(SamplingOptions.Greedy, 100);
        var penalised = await Run(new SamplingOptions { RepetitionPenalty = 1.3 }, 100);
        Assert.NotEqual(plain.Tokens, penalised.Tokens);
        Assert.True(penalised.Tokens.Distinct().Count() > plain.Tokens.Distinct().Count());
    }
}
