using CoKv.Cache;
using CoKv.Compression;
using CoKv.Generation;

namespace CoKv.Tests;

public sealed class CompressionStreamingTests
{
    [Fact]
    public void StreamingKeepsSinksAndTheMostRecentTokensWithoutScoring()
    {
        using var decoder = CacheTestModels.Create();
        using var session = new InferenceSession(decoder, 100, observationWindow: 0); // no queries remembered: no scoring possible
        session.Prefill(CacheTestModels.Prompt(50, seed: 1), chunkSize: 50).Dispose();
        var outcome = new HeadBudgetCompressor(new StreamingLlmPolicy(), new SinksAndRecentScorer(4), 20).Compress((DenseKvCache)session.Cache);
        using var cache = (HeadBudgetedKvCache)outcome.Cache;
        var expected = new long[] { 0, 1, 2, 3 }.Concat(Enumerable.Range(34, 16).Select(p => (long)p));
        Assert.Equal(expected, cache.KeptPositions(1, 0));
        Assert.Equal("streaming", outcome.Report.Policy);
        Assert.All(outcome.Report.TokensPerHead, n => Assert.Equal(20, n));
    }

    [Fact]
    public void ScoringPoliciesAskForTheObservationWindow()
    {
        using var decoder = CacheTestModels.Create();
        using var session = new InferenceSession(decoder, 100);
        session.Prefill(CacheTestModels.Prompt(50, seed: 1), chunkSize: 50).Dispose();
        var error = Assert.Throws<InvalidOperationException>(() => HeadBudgetCompressor.WithSnapKv(new SnapKvPolicy(), 20).Compress((DenseKvCache)session.Cache));
        Assert.Contains("observationWindow", error.Message);
    }
}
