using System.Diagnostics;
using System.Runtime.InteropServices;
using CoKv.Kernels;

namespace CoKv.Cli.Benchmarks;

/// <summary>One layer's decode attention over a full cache of random keys and values: its time and the bytes it reads.</summary>
public sealed record AttentionTiming(int Tokens, int Heads, int KvHeads, int HeadDim, int Threads, double Milliseconds)
{
    public long CacheBytes => 2L * KvHeads * Tokens * HeadDim * sizeof(float);

    public double GigabytesPerSecond => CacheBytes / (Milliseconds * 1e6);
}

/// <summary>
/// Times <see cref="DecodeAttention"/> alone (one layer, the layout a full cache has: one run of rows per KV head), so
/// its cost can be set against the K/V bytes it must read, the bound a decode step's attention cannot beat.
/// </summary>
public static unsafe class AttentionBenchmark
{
    public static AttentionTiming Run(int tokens, int heads, int kvHeads, int headDim, int threads, int repeats, int seed)
    {
        var random = new Random(seed);
        long rows = (long)kvHeads * tokens;
        var keys = (float*)NativeMemory.AlignedAlloc((nuint)(rows * headDim * 4), 64);
        var values = (float*)NativeMemory.AlignedAlloc((nuint)(rows * headDim * 4), 64);
        var q = new float[heads * headDim];
        var output = new float[heads * headDim];
        try
        {
            for (long i = 0; i < rows * headDim; i++)
            {
                keys[i] = (float)(random.NextDouble() * 2 - 1);
                values[i] = (float)(random.NextDouble() * 2 - 1);
            }
            for (int i = 0; i < q.Length; i++) q[i] = (float)(random.NextDouble() * 2 - 1);
            var columns = new HeadColumns[kvHeads];
            for (int h = 0; h < kvHeads; h++) columns[h] = new HeadColumns(h * tokens, tokens, 0, 0, 0);
            var attention = new DecodeAttention(heads, kvHeads, headDim);
            var pool = WorkerPool.Shared(threads);
            var times = new List<double>();
            fixed (float* pq = q)
            fixed (float* po = output)
            {
                var warm = Stopwatch.StartNew();
                while (warm.ElapsedMilliseconds < 500) attention.Attend(pool, keys, values, columns, pq, po);
                for (int r = 0; r < repeats; r++)
                {
                    var clock = Stopwatch.StartNew();
                    attention.Attend(pool, keys, values, columns, pq, po);
                    times.Add(clock.Elapsed.TotalMilliseconds);
                }
            }
            times.Sort();
            return new AttentionTiming(tokens, heads, kvHeads, headDim, threads, times[times.Count / 2]);
        }
        finally
        {
            NativeMemory.AlignedFree(keys);
            NativeMemory.AlignedFree(values);
        }
    }
}
