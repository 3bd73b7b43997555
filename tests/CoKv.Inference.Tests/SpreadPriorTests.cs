using CoKv.Cache;
using CoKv.Compression;
using static TorchSharp.torch;

namespace CoKv.Tests;

/// <summary>The spread prior: an even sample of the prefix wherever the queries do not single a position out.</summary>
public sealed class SpreadPriorTests
{
    [Theory]
    [InlineData(100)]
    [InlineData(1000)]
    [InlineData(2040)]
    public void TheBestKPositionsAreSpreadEvenlyForEveryK(int n)
    {
        var values = SpreadPrior.Scores(n);
        Assert.Equal(n, values.Distinct().Count());
        Assert.All(values, v => Assert.InRange(v, float.Epsilon, 1f));
        var ranked = Enumerable.Range(0, n).OrderByDescending(p => values[p]).ToArray();
        for (int k = 1; k <= n; k++)
        {
            var kept = ranked.Take(k).Order().ToArray();
            int largestGap = kept.Zip(kept.Skip(1), (a, b) => b - a).Append(kept[0] + 1).Append(n - kept[^1]).Max();
            Assert.True(largestGap <= 4.0 * n / k, $"n {n}, k {k}: a gap of {largestGap}");
        }
    }

    /// <summary>One KV head, head size 4, 68 tokens: the window (4) reads position 50 sharply and every other position
    /// almost alike, later ones a hair more (as filler is read).</summary>
    static DenseKvCache FlatButOne()
    {
        const int length = 68, dim = 4, window = 4;
        var keys = new float[length, dim];
        for (int p = 0; p < length; p++) keys[p, 1] = 0.01f * p / length;
        keys[50, 1] = 10;
        var queries = new float[length, dim];
        for (int p = length - window; p < length; p++) queries[p, 1] = 1;
        var cache = new DenseKvCache(1, 1, dim, length, ScalarType.Float32, observationWindow: window);
        using var scope = NewDisposeScope();
        var k = tensor(keys.Cast<float>().ToArray()).reshape(1, length, dim);
        cache.Attend(0, tensor(queries.Cast<float>().ToArray()).reshape(1, length, dim), k, k.clone());
        return cache;
    }

    static long[] Kept(DenseKvCache dense, double spread)
    {
        var options = new SnapKvOptions { Window = 4, Lookahead = 0, SpreadWeight = spread };
        using var cache = (HeadBudgetedKvCache)HeadBudgetCompressor.WithSnapKv(new SnapKvPolicy(), 12, options).Compress(dense).Cache;
        return cache.KeptPositions(0, 0).ToArray()[..^4];
    }

    [Fact]
    public void ThePositionTheQueriesSingleOutStaysAndTheRestBecomeAnEvenSample()
    {
        using var dense = FlatButOne();
        var plain = Kept(dense, 0);
        var spread = Kept(dense, 16);
        Assert.Contains(50L, plain);
        Assert.Contains(50L, spread);
        // SnapKV's ranking alone keeps the last positions, by a hair; with the prior, an even sample of the prefix.
        static long Gap(long[] kept) => kept.Append(-1).Append(64).Order().Zip(kept.Append(-1).Append(64).Order().Skip(1), (a, b) => b - a).Max();
        Assert.True(Gap(spread) <= 16, $"spread kept {string.Join(",", spread)}");
        Assert.True(Gap(plain) > 16, $"plain kept {string.Join(",", plain)}");
    }

    [Fact]
    public void ABadSpreadWeightIsRefusedByName()
    {
        Assert.Contains("SpreadWeight", Assert.Throws<ArgumentOutOfRangeException>(() => new SnapKvOptions { SpreadWeight = -1 }.Validate()).Message);
        Assert.Contains("SpreadWeight", Assert.Throws<ArgumentOutOfRangeException>(() => new SnapKvOptions { SpreadWeight = double.NaN }.Validate()).Message);
    }
}
