using CoKv.Cache;
using CoKv.Compression;
using CoKv.Generation;

namespace CoKv.Tests;

/// <summary>A budget policy and a token scorer combine freely: the policy says how many, the scorer which.</summary>
public sealed class CompressionScorerTests
{
    [Fact]
    public void PyramidBudgetsWithSinksAndRecentKeepEachHeadsSinksAndItsLatestTokens()
    {
        using var decoder = CacheTestModels.Create();
        using var session = Prefilled(decoder, 60, seed: 2, observationWindow: 0); // positions only: no queries needed
        var compressor = new HeadBudgetCompressor(new PyramidKvPolicy(beta: 2), new SinksAndRecentScorer(3), meanBudget: 24, window: 8);
        var outcome = compressor.Compress((DenseKvCache)session.Cache);
        using var cache = (HeadBudgetedKvCache)outcome.Cache;

        // 2 layers, B' = 16, β = 2: the lower layer keeps 8 + 24, the upper 8 + 8 (pyramid), chosen by position (scorer).
        Assert.Equal([32, 32, 16, 16], outcome.Report.TokensPerHead);
        for (int layer = 0; layer < 2; layer++)
            for (int head = 0; head < 2; head++)
            {
                int budget = outcome.Report.TokensPerHead[layer * 2 + head];
                var expected = new long[] { 0, 1, 2 }.Concat(Enumerable.Range(60 - (budget - 3), budget - 3).Select(p => (long)p));
                Assert.Equal(expected, cache.KeptPositions(layer, head));
            }
        Assert.Equal("pyramid", outcome.Report.Policy);
    }

    [Fact]
    public void ExplicitPairingEqualsTheRegistrysDefault()
    {
        using var decoder = CacheTestModels.Create();
        using var session = Prefilled(decoder, 60, seed: 4, observationWindow: 8);
        var dense = (DenseKvCache)session.Cache;
        using var byRegistry = (HeadBudgetedKvCache)BudgetPolicies.Compressor("ada", 20).Compress(dense).Cache;
        using var byHand = (HeadBudgetedKvCache)new HeadBudgetCompressor(new AdaSnapKvPolicy(), new SnapKvScorer(), 20, window: 8).Compress(dense).Cache;
        Assert.Equal(Kept(byRegistry), Kept(byHand));
        // The same budgets ranked by another scorer keep other tokens: the scorer, not the policy, chose them.
        using var byAttention = (HeadBudgetedKvCache)new HeadBudgetCompressor(new SnapKvPolicy(), new SnapKvScorer(), 20, window: 8).Compress(dense).Cache;
        using var byPosition = (HeadBudgetedKvCache)new HeadBudgetCompressor(new SnapKvPolicy(), new SinksAndRecentScorer(), 20, window: 8).Compress(dense).Cache;
        Assert.NotEqual(Kept(byAttention), Kept(byPosition));
    }

    static InferenceSession Prefilled(Decoding.Decoder decoder, int length, int seed, int observationWindow)
    {
        var session = new InferenceSession(decoder, 100, observationWindow);
        session.Prefill(CacheTestModels.Prompt(length, seed), chunkSize: 16).Dispose();
        return session;
    }

    /// <summary>Every head's kept positions, in (layer, head) order, as one comparable list.</summary>
    static List<long> Kept(HeadBudgetedKvCache cache) =>
        Enumerable.Range(0, 4).SelectMany(i => cache.KeptPositions(i / 2, i % 2).Append(-1)).ToList();

    [Fact]
    public void TheNoneScorerServesTheFullCacheAndRefusesToRankAPrefix()
    {
        using var decoder = CacheTestModels.Create();
        using var session = Prefilled(decoder, 40, seed: 6, observationWindow: 0);
        var dense = (DenseKvCache)session.Cache;
        var full = BudgetPolicies.Compressor("full", 10).Compress(dense);
        using (full.Cache) Assert.All(full.Report.TokensPerHead, n => Assert.Equal(40, n));

        var error = Assert.Throws<InvalidOperationException>(() => new HeadBudgetCompressor(new SnapKvPolicy(), new NoTokenScorer(), 20).Compress(dense));
        Assert.Contains("'none'", error.Message);
    }
}
