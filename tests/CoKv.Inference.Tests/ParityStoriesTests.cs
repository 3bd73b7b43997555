using CoKv.Generation;
using Xunit.Abstractions;

namespace CoKv.Tests;

/// <summary>stories260K from its GGUF and from its llama2.c files against llama.cpp on the GGUF.</summary>
[Collection(ParityCollection.Name)]
public sealed class ParityStoriesTests(ParityFixture fixture, ITestOutputHelper output)
{
    const string Prompt = "Once upon a time";
    // ParityMetrics.RelativeError: max |ours − llama.cpp| / std(llama.cpp), per position. Measured 4.7e-6 against llama.cpp
    // and 4.0e-6 cached vs uncached: the bound leaves a margin of about 4.
    const double Tolerance = 2e-5;

    public static TheoryData<string> Files => new() { "stories260K.gguf", "stories260K.bin" };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Greedy_continuation_matches_run_c_and_llama_cpp(string file)
    {
        using var model = ParityModels.Load(TestPaths.SharedModel(file));
        var prompt = model.Tokenizer.Encode(Prompt);
        Assert.Equal([1, 403, 407, 261, 378], prompt);
        // run.c's 200 steps: BOS + 4 prompt tokens + 196 new ones (see the shared models README).
        var result = await model.GenerateTextAsync(new GenerationRequest { PromptTokens = prompt, MaxNewTokens = 196 });

        Assert.Equal(FinishReason.Length, result.FinishReason);
        var expected = File.ReadAllText(TestPaths.SharedModel("stories260K.greedy-once-upon-a-time.txt"));
        Assert.Equal(expected, Prompt + result.Text + "\n");
        var reference = fixture.Context.GenerateGreedy(prompt.ToArray(), 196);
        Assert.Equal(reference, result.Tokens);
        Assert.Equal(fixture.Model.Detokenize([.. reference]), result.Text);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Logits_of_every_position_match_llama_cpp(string file)
    {
        using var model = ParityModels.Load(TestPaths.SharedModel(file));
        var sequence = Sequence128();
        var ours = ParityModels.AllLogits(model.Decoder, sequence);
        var theirs = fixture.Context.EvaluateAllLogits(sequence);
        double error = ParityMetrics.WorstRelativeError(ours, theirs);
        output.WriteLine($"{file}: worst max|ours − llama.cpp| / std(llama.cpp) over 128 positions = {ParityModels.Format(error)}");
        Assert.True(error <= Tolerance, $"{file}: relative logits error {error}");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Cached_path_matches_the_uncached_forward(string file)
    {
        using var model = ParityModels.Load(TestPaths.SharedModel(file));
        var sequence = Sequence128();
        var uncached = ParityModels.AllLogits(model.Decoder, sequence);
        // Chunks of 16 for the first 96 positions (the last chunk attends to a cache of 80), then 32 decode steps.
        var cached = ParityModels.CachedLogits(model.Decoder, sequence, chunk: 16, prefillLength: 96);
        double error = ParityMetrics.WorstRelativeError(cached, uncached);
        output.WriteLine($"{file}: cached vs uncached worst relative error = {ParityModels.Format(error)}");
        Assert.True(error <= Tolerance, $"{file}: cached vs uncached relative error {error}");
        // And the cached logits against llama.cpp directly.
        Assert.True(ParityMetrics.WorstRelativeError(cached, fixture.Context.EvaluateAllLogits(sequence)) <= Tolerance);
    }

    /// <summary>BOS + "Once upon a time" + llama.cpp's greedy continuation: 128 tokens of real text.</summary>
    int[] Sequence128()
    {
        var prompt = fixture.Model.Tokenize(Prompt, addSpecial: true, parseSpecial: false);
        return [.. prompt, .. fixture.Context.GenerateGreedy(prompt, 128 - prompt.Length)];
    }
}
