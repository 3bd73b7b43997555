using System.Diagnostics;
using CoKv.Benchmarks;
using CoKv.Cache;
using static TorchSharp.torch;

namespace CoKv.Cli.Benchmarks;

/// <summary>One chunk's prefill attention: its median time and the RSS it adds at its peak.</summary>
public sealed record PrefillAttentionTiming(int Chunk, int Context, int Heads, int KvHeads, int HeadDim, int Threads, double Milliseconds, long PeakBytes);

/// <summary>
/// Times <see cref="GroupedAttention.Causal"/> for the last chunk of a prompt (its queries against every key before
/// them and themselves), the prefill step whose temporaries grow with the context, and measures the resident memory
/// it adds over its inputs.
/// </summary>
public static class PrefillAttentionBenchmark
{
    public static PrefillAttentionTiming Run(int chunk, int context, int heads, int kvHeads, int headDim, int threads, int repeats, int seed)
    {
        if (chunk > context) throw new ArgumentException($"A chunk of {chunk} cannot end a context of {context}.");
        int previousThreads = get_num_threads();
        set_num_threads(threads);
        try
        {
            using var scope = NewDisposeScope();
            manual_seed(seed);
            // q as the layer makes it: [T, H, d] transposed to [H, T, d] (strided), K and V as a cache's views.
            var q = randn(chunk, heads, headDim).transpose(0, 1);
            var k = randn(kvHeads, context, headDim);
            var v = randn(kvHeads, context, headDim);
            using (NewDisposeScope()) GroupedAttention.Causal(q, k, v);
            long before = ProcessMemory.Resident();
            ProcessMemory.ResetPeak();
            var times = new List<double>();
            for (int r = 0; r < repeats; r++)
            {
                var clock = Stopwatch.StartNew();
                using (NewDisposeScope()) GroupedAttention.Causal(q, k, v);
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            long peak = ProcessMemory.Peak() - before;
            times.Sort();
            return new PrefillAttentionTiming(chunk, context, heads, kvHeads, headDim, threads, times[times.Count / 2], peak);
        }
        finally
        {
            set_num_threads(previousThreads);
        }
    }
}
