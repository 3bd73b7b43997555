using CoKv.LlamaCpp;
using Xunit.Abstractions;

namespace CoKv.Tests;

[Collection(LlamaCppCollection.Name)]
public sealed class LlamaCppGenerationTests(LlamaCppStoriesFixture fixture, ITestOutputHelper output)
{
    const string Prompt = "Once upon a time";

    /// <summary>
    /// run.c with steps = 200 runs 200 forward passes (positions 0..199) and prints the token chosen after each:
    /// the 4 prompt tokens after BOS, then 196 sampled ones, so the sequence is BOS + 200 tokens. It strips the
    /// leading space of the piece that follows BOS and ends with one "\n" of its own.
    /// llama_detokenize (removeSpecial drops the BOS) keeps that leading space, so exactly one is stripped here,
    /// and the file's final "\n" is compared as run.c's terminator, not as a generated token.
    /// </summary>
    [Fact]
    public void GreedyContinuationReproducesRunC()
    {
        const int runCSteps = 200;
        var m = fixture.Model;
        var prompt = m.Tokenize(Prompt, addSpecial: true, parseSpecial: false);
        var newTokens = runCSteps - (prompt.Length - 1);
        var generated = fixture.Context.GenerateGreedy(prompt, newTokens);
        output.WriteLine(fixture.Context.LastTimings?.ToString());
        Assert.Equal(newTokens, generated.Count); // no end-of-generation token in this continuation

        var text = m.Detokenize([.. prompt, .. generated], removeSpecial: true);
        Assert.StartsWith(" ", text);
        var expected = File.ReadAllText(TestPaths.SharedModel("stories260K.greedy-once-upon-a-time.txt"));
        Assert.Equal(expected, text[1..] + "\n");
    }

    [Fact]
    public void AllPositionLogitsAgreeWithGreedyDecoding()
    {
        var m = fixture.Model;
        var ctx = fixture.Context;
        var prompt = m.Tokenize(Prompt, addSpecial: true, parseSpecial: false);
        var path = prompt.Concat(ctx.GenerateGreedy(prompt, 64 - prompt.Length + 1)).ToArray();
        var sequence = path[..64];

        var logits = ctx.EvaluateAllLogits(sequence);

        Assert.Equal(64, logits.Length);
        Assert.All(logits, row => Assert.Equal(512, row.Length));
        Assert.All(logits, row => Assert.All(row, v => Assert.True(float.IsFinite(v))));
        // Past the prompt, each position's argmax is the token greedy decoding put next.
        for (var i = prompt.Length - 1; i < 64; i++)
            Assert.True(ArgMax(logits[i]) == path[i + 1], $"position {i}: argmax {ArgMax(logits[i])}, greedy {path[i + 1]}");
    }

    [Fact]
    public void EvaluationStartsFromAnEmptyCache()
    {
        var ctx = fixture.Context;
        var tokens = fixture.Model.Tokenize(Prompt, addSpecial: true, parseSpecial: false);
        var first = ctx.EvaluateAllLogits(tokens);
        var second = ctx.EvaluateAllLogits(tokens);
        Assert.Equal(first[^1], second[^1]);
    }

    [Fact]
    public void TimingsAreMeasured()
    {
        var ctx = fixture.Context;
        ctx.GenerateGreedy(fixture.Model.Tokenize(Prompt, addSpecial: true, parseSpecial: false), 20);
        var t = Assert.IsType<GenerationTimings>(ctx.LastTimings);
        Assert.Equal(5, t.PromptTokens);
        Assert.Equal(19, t.DecodeTokens);
        Assert.True(t.PrefillTokensPerSecond > 0 && t.DecodeTokensPerSecond > 0, t.ToString());
    }

    [Fact]
    public void TooLongABatchIsRejectedBeforeCallingLlamaCpp() =>
        Assert.Throws<ArgumentException>(() => fixture.Context.EvaluateAllLogits(new int[513]));

    static int ArgMax(float[] row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++)
            if (row[i] > row[best])
                best = i;
        return best;
    }
}
