using CoKv.Cache;
using CoKv.Compression;
using CoKv.Generation;
using static TorchSharp.torch;

namespace CoKv.Tests;

public sealed class PromptAttentionScorerTests
{
    /// <summary>Every query and key of layer 1 from one unchunked pass (the cache remembers every query).</summary>
    static (Tensor Queries, Tensor Keys) FullPassQueriesAndKeys(int[] prompt)
    {
        using var decoder = CacheTestModels.Create();
        using var dense = decoder.CreateCache(prompt.Length, observationWindow: prompt.Length);
        using var noGrad = no_grad();
        decoder.Hidden(tensor(prompt.Select(t => (long)t).ToArray()).unsqueeze(0), 0, dense).Dispose();
        return (dense.WindowQueries(1).clone(), dense.Keys(1).clone());
    }

    /// <summary>The whole causal T×T attention by loops: mean over the query heads of a KV head and the rows of
    /// positions p ≡ S − 1 (mod S) of a(p, j) where p − j &gt; D.</summary>
    static double[,] BruteForce(Tensor queries, Tensor keys, int stride, int band, int window)
    {
        long heads = queries.shape[0], length = keys.shape[1], kvHeads = keys.shape[0], group = heads / kvHeads, dim = keys.shape[2];
        var rows = Enumerable.Range(0, (int)length).Where(p => p % stride == stride - 1).ToArray();
        var result = new double[kvHeads, length - window];
        for (int h = 0; h < heads; h++)
        {
            var q = queries[h].data<float>().ToArray();
            var k = keys[h / (int)group].data<float>().ToArray();
            foreach (var p in rows)
            {
                var logits = Enumerable.Range(0, p + 1).Select(j => Enumerable.Range(0, (int)dim).Sum(d => (double)q[p * dim + d] * k[j * dim + d]) / Math.Sqrt(dim)).ToArray();
                double max = logits.Max(), sum = logits.Sum(x => Math.Exp(x - max));
                for (int j = 0; j < Math.Min(p - band, length - window); j++)
                    result[h / group, j] += Math.Exp(logits[j] - max) / sum / (group * rows.Length);
            }
        }
        return result;
    }

    [Theory]
    [InlineData(3, 2)]
    [InlineData(8, 16)]
    [InlineData(1, 0)]
    public void ScoresEqualTheBruteForceAttentionOfTheStridedRowsBeyondTheBand(int stride, int band)
    {
        const int window = 8;
        var prompt = CacheTestModels.Prompt(70, seed: 23);
        var (queries, keys) = FullPassQueriesAndKeys(prompt);
        var expected = BruteForce(queries, keys, stride, band, window);

        using var decoder = CacheTestModels.Create();
        using var session = new InferenceSession(decoder, 80, observationWindow: window, queryStride: stride);
        session.Prefill(prompt, chunkSize: 5).Dispose(); // strides straddle chunks
        var dense = (DenseKvCache)session.Cache;
        Assert.Equal(Enumerable.Range(0, 70).Where(p => p % stride == stride - 1).Select(p => (long)p), dense.StridedQueries(1).Positions);
        using var actual = new PromptAttentionScorer(stride, band).Score(dense, 1, window);
        Assert.Equal(new long[] { keys.shape[0], 70 - window }, actual.shape);
        for (int h = 0; h < keys.shape[0]; h++)
            for (int j = 0; j < 70 - window; j++)
                Assert.Equal(expected[h, j], actual[h, j].item<float>(), 5);
    }

    /// <summary>
    /// A handmade cache (1 KV head, head size 4): the question's window attends to position 40 strongly and 30 weakly;
    /// later text reads back position 12 (the earlier hop of a chain the question never names); every other key is
    /// zero, so every other attention is uniform. SnapKV alone keeps 40 and then 30; the prompt-attention term finds 12.
    /// </summary>
    static DenseKvCache ChainCache(int queryStride)
    {
        const int length = 64, dim = 4, window = 4;
        var keys = new float[length, dim];
        keys[12, 1] = 8; keys[40, 2] = 8; keys[30, 2] = 4;
        var queries = new float[length, dim];
        for (int p = 45; p < length - window; p++) queries[p, 1] = 1; // later text reads back position 12
        for (int p = length - window; p < length; p++) queries[p, 2] = 1; // the question
        var cache = new DenseKvCache(1, 1, dim, length, ScalarType.Float32, observationWindow: window, queryStride: queryStride);
        using var scope = NewDisposeScope();
        var k = tensor(keys.Cast<float>().ToArray()).reshape(1, length, dim);
        cache.Attend(0, tensor(queries.Cast<float>().ToArray()).reshape(1, length, dim), k, k.clone());
        return cache;
    }

    static long[] Kept(DenseKvCache dense, int budget, double weight)
    {
        var options = new SnapKvOptions { Window = 4, PromptQueryWeight = weight, PromptQueryStride = 4, PromptQueryBand = 8, SpreadWeight = 0 };
        using var cache = (HeadBudgetedKvCache)HeadBudgetCompressor.WithSnapKv(new SnapKvPolicy(), budget, options).Compress(dense).Cache;
        return cache.KeptPositions(0, 0).ToArray()[..^4];
    }

    [Fact]
    public void ThePromptAttentionTermKeepsWhatLaterTextReadsBackAndTheWindowAloneDoesNot()
    {
        using var dense = ChainCache(queryStride: 4);
        using var alone = new PromptAttentionScorer(4, 8).Score(dense, 0, 4);
        Assert.Equal(12, alone[0].argmax().item<long>());

        Assert.Equal([40L], Kept(dense, 5, 0));
        Assert.Equal([30L, 40L], Kept(dense, 6, 0));
        Assert.Equal([12L, 40L], Kept(dense, 6, 1));
        // λ scales the term against the window's votes: small enough, the window's second choice wins again.
        Assert.Equal([30L, 40L], Kept(dense, 6, 1e-3));
    }

    [Fact]
    public void TheBandLeavesOutAttentionToNearPredecessors()
    {
        using var dense = ChainCache(queryStride: 4);
        // The strided queries 47, 51, 55, 59 read position 12 from 35 to 47 positions away: a band of 40 drops 47 and 51.
        using var near = new PromptAttentionScorer(4, 0).Score(dense, 0, 4);
        using var far = new PromptAttentionScorer(4, 40).Score(dense, 0, 4);
        Assert.True(far[0, 12].item<float>() < near[0, 12].item<float>());
        Assert.True(far[0, 12].item<float>() > 0);
        // The last query is 63: no query sits more than 40 positions after position 23 or any later one.
        Assert.All(far[0].narrow(0, 23, 37).data<float>().ToArray(), x => Assert.Equal(0, x));
    }

    [Fact]
    public void AScorerThatReadsStridedQueriesRefusesACacheWithoutThem()
    {
        using var dense = ChainCache(queryStride: 0);
        var error = Assert.Throws<InvalidOperationException>(() => Kept(dense, 6, 1));
        Assert.Contains("queryStride = 4", error.Message);
        Assert.Equal(4, HeadBudgetCompressor.WithSnapKv(new SnapKvPolicy(), 6, new SnapKvOptions { PromptQueryWeight = 1, PromptQueryStride = 4 }).QueryStride);
        Assert.Equal(0, HeadBudgetCompressor.WithSnapKv(new SnapKvPolicy(), 6, new SnapKvOptions()).QueryStride);
    }

    /// <summary>
    /// A handmade chain (1 KV head, head size 8, every query kept): the question's window reads position 10 (hop 1)
    /// strongly and 30 (a decoy) weakly; the query at 40 reads 10 (hop 2 copies from hop 1, its fact is 41), the
    /// query at 55 reads 41 (hop 3, fact 56). Every other key and query is zero, so their attention is uniform.
    /// </summary>
    static DenseKvCache ChainOfHops()
    {
        const int length = 64, dim = 8, window = 4;
        var keys = new float[length, dim];
        keys[10, 1] = 12; keys[10, 3] = 12; keys[30, 1] = 6; keys[41, 4] = 12;
        var queries = new float[length, dim];
        queries[40, 3] = 1;
        queries[55, 4] = 1;
        for (int p = length - window; p < length; p++) queries[p, 1] = 1;
        var cache = new DenseKvCache(1, 1, dim, length, ScalarType.Float32, observationWindow: window, queryStride: 1);
        using var scope = NewDisposeScope();
        var k = tensor(keys.Cast<float>().ToArray()).reshape(1, length, dim);
        cache.Attend(0, tensor(queries.Cast<float>().ToArray()).reshape(1, length, dim), k, k.clone());
        return cache;
    }

    static long[] KeptFollowing(DenseKvCache dense, int budget, double weight, int rounds)
    {
        var options = new SnapKvOptions
        {
            Window = 4, PromptQueryWeight = weight, PromptQueryStride = 1, PromptQueryBand = 8,
            PromptQueryAggregate = QueryAggregate.Follow, PromptQueryRounds = rounds, SpreadWeight = 0,
        };
        using var cache = (HeadBudgetedKvCache)HeadBudgetCompressor.WithSnapKv(new SnapKvPolicy(), budget, options).Compress(dense).Cache;
        return cache.KeptPositions(0, 0).ToArray()[..^4];
    }

    [Fact]
    public void FollowKeepsOneMoreHopOfTheChainPerRound()
    {
        using var dense = ChainOfHops();
        Assert.Equal([10L, 30L], KeptFollowing(dense, 6, 0, 1)); // the window alone: hop 1 and the decoy
        var one = KeptFollowing(dense, 9, 1, 1);
        Assert.Contains(40L, one);
        Assert.Contains(41L, one); // hop 2's fact: the token after the query that read hop 1
        Assert.DoesNotContain(56L, one);
        var two = KeptFollowing(dense, 9, 1, 2);
        Assert.Equal([10L, 40L, 41L, 55L, 56L], two); // hop 3 too, ahead of the decoy
        Assert.Throws<InvalidOperationException>(() => new PromptAttentionScorer(1, 8, QueryAggregate.Follow).Score(dense, 0, 4));
    }

    [Fact]
    public void TruncateForgetsTheStridedQueriesPastTheNewLength()
    {
        using var dense = ChainCache(queryStride: 4);
        Assert.Equal(16, dense.StridedQueries(0).Positions.Length);
        dense.Truncate(30);
        Assert.Equal([3L, 7, 11, 15, 19, 23, 27], dense.StridedQueries(0).Positions);
    }

    [Fact]
    public void BadPromptAttentionSettingsAreRefusedByName()
    {
        Assert.Contains("PromptQueryWeight", Assert.Throws<ArgumentOutOfRangeException>(() => new SnapKvOptions { PromptQueryWeight = -1 }.Validate()).Message);
        Assert.Contains("PromptQueryStride", Assert.Throws<ArgumentOutOfRangeException>(() => new SnapKvOptions { PromptQueryStride = 0 }.Validate()).Message);
        Assert.Contains("PromptQueryBand", Assert.Throws<ArgumentOutOfRangeException>(() => new SnapKvOptions { PromptQueryBand = -1 }.Validate()).Message);
        Assert.Contains("PromptQueryRounds", Assert.Throws<ArgumentOutOfRangeException>(() => new SnapKvOptions { PromptQueryRounds = 0 }.Validate()).Message);
    }
}
