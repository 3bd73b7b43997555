using CoKv.Cache;
using CoKv.Compression;
using CoKv.Generation;
using static TorchSharp.torch;

namespace CoKv.Tests;

public sealed class SnapKvScorerTests
{
    /// <summary>
    /// The reference computes the whole causal T×T attention of the window's layer input, the way a naive implementation
    /// would, then takes the window's rows: queries and keys are recomputed from one unchunked forward pass.
    /// </summary>
    static (Tensor Queries, Tensor Keys) FullPassQueriesAndKeys(int[] prompt, int window)
    {
        using var decoder = CacheTestModels.Create();
        using var dense = decoder.CreateCache(prompt.Length, observationWindow: prompt.Length); // remembers every query
        using var noGrad = no_grad();
        decoder.Hidden(tensor(prompt.Select(t => (long)t).ToArray()).unsqueeze(0), 0, dense).Dispose();
        return (dense.WindowQueries(1).clone(), dense.Keys(1).clone());
    }

    static Tensor BruteForceScores(Tensor queries, Tensor keys, int window, int kernel, PoolingKind pooling)
    {
        long heads = queries.shape[0], length = keys.shape[1], kvHeads = keys.shape[0], group = heads / kvHeads;
        var attention = zeros(heads, length, length);
        for (int h = 0; h < heads; h++)
        {
            var k = keys[h / (int)group];
            var scores = queries[h].matmul(k.t()) / Math.Sqrt(keys.shape[2]);
            scores = scores.masked_fill(ones(length, length, ScalarType.Bool).triu(1), double.NegativeInfinity);
            attention[h] = scores.softmax(-1);
        }
        var windowRows = attention.narrow(1, length - window, window); // [H, w, T]
        var perKvHead = windowRows.view(kvHeads, group, window, length).mean([1, 2]).narrow(1, 0, length - window);
        var result = new float[kvHeads, length - window];
        var raw = perKvHead.data<float>().ToArray();
        for (int h = 0; h < kvHeads; h++)
            for (int p = 0; p < length - window; p++)
            {
                double acc = pooling == PoolingKind.Max ? double.NegativeInfinity : 0;
                for (int j = p - kernel / 2; j <= p + kernel / 2; j++)
                {
                    double x = j >= 0 && j < length - window ? raw[h * (length - window) + j] : pooling == PoolingKind.Max ? double.NegativeInfinity : 0;
                    acc = pooling == PoolingKind.Max ? Math.Max(acc, x) : acc + x / kernel;
                }
                result[h, p] = (float)acc;
            }
        return tensor(result);
    }

    [Theory]
    [InlineData(8, 7, PoolingKind.Max)]
    [InlineData(5, 5, PoolingKind.Average)]
    [InlineData(8, 1, PoolingKind.None)]
    public void ChunkedScoresEqualTheFullAttentionMatrixsWindowRows(int window, int kernel, PoolingKind pooling)
    {
        var prompt = CacheTestModels.Prompt(90, seed: 11);
        var (queries, keys) = FullPassQueriesAndKeys(prompt, window);
        using var expected = BruteForceScores(queries, keys, window, kernel, pooling);

        using var decoder = CacheTestModels.Create();
        using var session = new InferenceSession(decoder, 100, observationWindow: window);
        session.Prefill(prompt, chunkSize: 4).Dispose(); // the window straddles chunks
        var scorer = new SnapKvScorer(new SnapKvOptions { Window = window, Kernel = kernel, Pooling = pooling, SpreadWeight = 0 });
        using var actual = scorer.Score((DenseKvCache)session.Cache, 1);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(actual.allclose(expected, rtol: 1e-4, atol: 1e-6), $"max diff {(actual - expected).abs().max().item<float>()}");
    }

    [Fact]
    public void KeptPositionsAreTheBruteForceTopBPlusTheWindow()
    {
        const int window = 8, budget = 20;
        var prompt = CacheTestModels.Prompt(90, seed: 13);
        var (queries, keys) = FullPassQueriesAndKeys(prompt, window);
        using var expectedScores = BruteForceScores(queries, keys, window, 7, PoolingKind.Max);

        using var decoder = CacheTestModels.Create();
        using var session = new InferenceSession(decoder, 100, observationWindow: window);
        session.Prefill(prompt, chunkSize: 16).Dispose();
        using var cache = (HeadBudgetedKvCache)HeadBudgetCompressor.WithSnapKv(new SnapKvPolicy(), budget, new SnapKvOptions { Kernel = 7, SpreadWeight = 0 }).Compress((DenseKvCache)session.Cache).Cache;
        for (int h = 0; h < 2; h++)
        {
            var row = expectedScores[h].data<float>().ToArray();
            var top = Enumerable.Range(0, row.Length).OrderByDescending(p => row[p]).ThenBy(p => p).Take(budget - window).ToArray();
            // Max-pooling makes ties: any position tied with the last one chosen is an equally right answer.
            float cut = row[top[^1]];
            var kept = cache.KeptPositions(1, h).ToArray();
            Assert.Equal(Enumerable.Range(82, window).Select(p => (long)p), kept.TakeLast(window));
            var chosen = kept.Take(budget - window).ToArray();
            Assert.Equal(chosen.Order(), chosen);
            Assert.All(top.Where(p => row[p] > cut), p => Assert.Contains((long)p, chosen));
            Assert.All(chosen, p => Assert.True(row[p] >= cut - 1e-6f, $"position {p} scored {row[p]} below the cut {cut}"));
        }
    }

    [Fact]
    public void KeyNormTermAddsLambdaTimesTheMeanVoteScaledByHowLowEachKeyNormIs()
    {
        const int window = 8;
        var prompt = CacheTestModels.Prompt(90, seed: 17);
        var (queries, keys) = FullPassQueriesAndKeys(prompt, window);
        using var votes = BruteForceScores(queries, keys, window, 1, PoolingKind.None);

        using var decoder = CacheTestModels.Create();
        using var session = new InferenceSession(decoder, 100, observationWindow: window);
        session.Prefill(prompt, chunkSize: 16).Dispose();
        var dense = (DenseKvCache)session.Cache;
        using var plain = new SnapKvScorer(new SnapKvOptions { Window = window, Kernel = 1, Pooling = PoolingKind.None, SpreadWeight = 0 }).Score(dense, 1);
        using var withNorm = new SnapKvScorer(new SnapKvOptions { Window = window, Kernel = 1, Pooling = PoolingKind.None, KeyNormWeight = 2, SpreadWeight = 0 }).Score(dense, 1);
        Assert.True(plain.allclose(votes, rtol: 1e-4, atol: 1e-6));
        for (int h = 0; h < keys.shape[0]; h++)
        {
            var norms = Enumerable.Range(0, 90 - window).Select(p => keys[h, p].norm().item<float>()).ToArray();
            double max = norms.Max(), min = norms.Min(), mean = plain[h].mean().item<float>();
            var added = (withNorm[h] - plain[h]).data<float>().ToArray();
            for (int p = 0; p < norms.Length; p++)
                Assert.Equal(2 * mean * (max - norms[p]) / (max - min), added[p], 5);
            // The lowest-norm key gains the most: 2 × the head's mean vote; the highest nothing.
            Assert.Equal(2 * mean, added[Array.IndexOf(norms, norms.Min())], 5);
            Assert.Equal(0, added[Array.IndexOf(norms, norms.Max())], 6);
        }
    }
}
