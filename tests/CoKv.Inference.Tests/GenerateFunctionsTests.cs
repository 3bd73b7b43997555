using CoKv.Cache;
using CoKv.Compression;
using CoKv.Generation;
using CoKv.Generation.Constraints;
using static TorchSharp.torch;

namespace CoKv.Tests;

/// <summary>The plain functions of <see cref="Generate"/> on a tiny random decoder made in code.</summary>
public sealed class GenerateFunctionsTests
{
    [Fact]
    public void Prefill_in_chunks_then_decoding_one_token_at_a_time_gives_the_logits_of_one_whole_pass()
    {
        using var decoder = CacheTestModels.Create();
        var prompt = CacheTestModels.Prompt(23, seed: 5);
        using var session = new InferenceSession(decoder, 64);
        var sampler = new Sampler(SamplingOptions.Greedy);
        var logits = Generate.Prefill(session, prompt, chunkSize: 6);
        var sequence = prompt.ToList();
        for (int step = 0; step < 6; step++)
        {
            // The reference: the whole sequence so far in one forward pass of a fresh session.
            using var whole = new InferenceSession(decoder, 64);
            using var expected = whole.Forward(sequence);
            Assert.True(ParityMetrics.RelativeError(logits.data<float>().ToArray(), expected.data<float>().ToArray()) <= 1e-4, $"step {step}");
            int token = Generate.Sample(sampler, logits, session.Tokens);
            Assert.Equal((int)expected.argmax().item<long>(), token);
            sequence.Add(token);
            logits.Dispose();
            logits = Generate.DecodeOneToken(session, token);
        }
        logits.Dispose();
        Assert.Equal(sequence, session.Tokens);
    }

    [Fact]
    public void Compress_replaces_only_a_dense_cache_that_remembered_the_observation_window()
    {
        using var decoder = CacheTestModels.Create();
        var compressor = HeadBudgetCompressor.WithSnapKv(new SnapKvPolicy(), 20);
        var prompt = CacheTestModels.Prompt(50, seed: 3);

        using var blind = new InferenceSession(decoder, 100, observationWindow: compressor.ObservationWindow - 1);
        blind.Prefill(prompt, chunkSize: 16).Dispose();
        Assert.Null(Generate.Compress(blind, compressor));
        Assert.IsType<DenseKvCache>(blind.Cache);

        using var session = new InferenceSession(decoder, 100, observationWindow: compressor.ObservationWindow);
        session.Prefill(prompt, chunkSize: 16).Dispose();
        var report = Generate.Compress(session, compressor);
        Assert.NotNull(report);
        var compressed = Assert.IsType<HeadBudgetedKvCache>(session.Cache);
        Assert.Equal(compressor.MeanBudget, report.TokensPerHead.Average(), 6);
        // A cache compressed once (as a reused session's is) is left as it is.
        Assert.Null(Generate.Compress(session, compressor));
        Assert.Same(compressed, session.Cache);
    }

    [Fact]
    public void Sample_draws_only_what_the_constraint_allows_and_moves_it_on()
    {
        using var logits = tensor(new float[] { 3f, 2f, 1f, 0f });
        var constraint = new OnlyToken(2);
        int token = Generate.Sample(new Sampler(SamplingOptions.Greedy), logits, [], (constraint, new bool[4]), tokensLeft: 7);
        Assert.Equal(2, token);
        Assert.Equal([2], constraint.Advanced);
        Assert.Equal(7, constraint.TokensLeftSeen);
        Assert.Equal(0, Generate.Sample(new Sampler(SamplingOptions.Greedy), logits, []));
    }

    sealed class OnlyToken(int id) : ITokenConstraint
    {
        public List<int> Advanced { get; } = [];
        public int TokensLeftSeen { get; private set; }
        public bool IsComplete => Advanced.Count > 0;

        public void FillMask(bool[] allowed, int tokensLeft = int.MaxValue)
        {
            TokensLeftSeen = tokensLeft;
            Array.Clear(allowed);
            allowed[id] = true;
        }

        public void Advance(int token) => Advanced.Add(token);
    }
}
