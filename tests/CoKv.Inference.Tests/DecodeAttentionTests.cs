using CoKv.Kernels;

namespace CoKv.Tests;

/// <summary>
/// The decode step's managed attention equals softmax(q·Kᵀ/√d)·V computed naively, on every way it splits work: one
/// thread, whole KV heads per thread, heads split into chunks per thread (flash-decoding merge), a kept run plus
/// strided rows (the head-budgeted cache), and head dims with and without the register-held accumulators.
/// </summary>
public sealed unsafe class DecodeAttentionTests
{
    [Theory]
    [InlineData(32, 8, 64, 600, 1)]   // one thread
    [InlineData(32, 8, 64, 600, 2)]   // 4,800 rows: whole heads per thread
    [InlineData(9, 3, 64, 900, 2)]    // 3 heads over 2 threads: every head in two chunks, merged
    [InlineData(8, 8, 8, 300, 2)]     // head dim 8: 8-column accumulators
    [InlineData(6, 2, 96, 1200, 2)]   // 64 + 32 columns
    [InlineData(4, 2, 12, 1100, 2)]   // head dim 12: the per-row fallback
    public void Equals_a_naive_softmax_over_each_heads_rows(int heads, int kvHeads, int headDim, int tokens, int threads)
    {
        var random = new Random(heads * 1000 + headDim);
        // Each KV head: a run of `tokens` rows, then 5 rows strided by kvHeads after all runs (as appended tokens are).
        const int appended = 5;
        int runRows = kvHeads * tokens, rows = runRows + appended * kvHeads;
        var keys = RandomFloats(random, rows * headDim);
        var values = RandomFloats(random, rows * headDim);
        var q = RandomFloats(random, heads * headDim);
        var columns = Enumerable.Range(0, kvHeads).Select(h => new HeadColumns(h * tokens, tokens, runRows + h, appended, kvHeads)).ToArray();
        var actual = new float[heads * headDim];

        var attention = new DecodeAttention(heads, kvHeads, headDim);
        using var pool = new WorkerPool(threads);
        fixed (float* k = keys, v = values, pq = q, o = actual)
            for (int repeat = 0; repeat < 2; repeat++) // the second call reuses the buffers the first sized
                attention.Attend(pool, k, v, columns, pq, o);

        int group = heads / kvHeads;
        for (int h = 0; h < heads; h++)
        {
            var c = columns[h / group];
            var scores = Enumerable.Range(0, c.Count)
                .Select(i => Enumerable.Range(0, headDim).Sum(x => (double)q[h * headDim + x] * keys[c.Row(i) * headDim + x]) / Math.Sqrt(headDim))
                .ToArray();
            double max = scores.Max();
            var weights = scores.Select(s => Math.Exp(s - max)).ToArray();
            double total = weights.Sum();
            for (int x = 0; x < headDim; x++)
            {
                double expected = Enumerable.Range(0, c.Count).Sum(i => weights[i] * values[c.Row(i) * headDim + x]) / total;
                Assert.True(Math.Abs(expected - actual[h * headDim + x]) < 1e-4, $"head {h}, column {x}: {actual[h * headDim + x]} against {expected}");
            }
        }
    }

    static float[] RandomFloats(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
}
