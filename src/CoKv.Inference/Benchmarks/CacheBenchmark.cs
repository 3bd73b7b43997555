using System.Diagnostics;
using CoKv.Cache;
using CoKv.Compression;
using CoKv.Kernels;
using CoKv.Decoding;
using CoKv.Profiles;
using static TorchSharp.torch;

namespace CoKv.Benchmarks;

/// <summary>
/// Prefill once per context on the dense cache, then for every budget × policy compress from that same dense cache and
/// decode; the full cache decodes on the dense cache itself, last, and is truncated back. Timings are wall-clock
/// medians; RSS comes from /proc. Profile-driven policies (cokv, baklava) get random scores when no profile is given,
/// which is what their speed depends on.
/// </summary>
public sealed class CacheBenchmark(Decoder decoder, CacheBenchmarkOptions options, TextWriter log)
{
    public IReadOnlyList<CacheBenchmarkRow> Run(CancellationToken cancellation = default)
    {
        using var noGrad = no_grad();
        StepTimings.Enabled = options.Breakdown;
        var rows = new List<CacheBenchmarkRow>();
        int total = options.Contexts.Count * (options.Budgets.Count * options.Policies.Count(p => !IsFull(p)) + (options.Policies.Any(IsFull) ? 1 : 0));
        var config = decoder.Config;
        var random = new Random(options.Seed);
        var profile = HeadScores.Create(config.LayerCount, config.KvHeadCount,
            Enumerable.Range(0, config.LayerCount * config.KvHeadCount).Select(_ => random.NextDouble()).ToArray());
        foreach (int context in options.Contexts)
        {
            cancellation.ThrowIfCancellationRequested();
            var prompt = Enumerable.Range(0, context).Select(_ => random.Next(config.VocabSize)).ToArray();
            using var dense = decoder.CreateCache(context + options.DecodeSteps + 8, options.Window);
            ProcessMemory.ResetPeak();
            long before = ProcessMemory.Resident();
            StepTimings.Reset();
            double prefillMs = Time(() => Prefill(dense, prompt));
            long prefillPeak = ProcessMemory.Peak();
            log.WriteLine($"context {context}: prefill {prefillMs:F0} ms (chunk {options.ChunkSize}), peak RSS {prefillPeak / 1048576.0:F0} MiB (+{(prefillPeak - before) / 1048576.0:F0} MiB over the RSS before)");
            WriteBreakdown($"prefill of {context} tokens", prefillMs, 1);

            foreach (int budget in options.Budgets)
                foreach (var name in options.Policies.Where(p => !IsFull(p)))
                {
                    cancellation.ThrowIfCancellationRequested();
                    var compressor = BudgetPolicies.Compressor(name, budget, profile, options: new SnapKvOptions { Window = options.Window }, reserve: options.DecodeSteps + 8);
                    ProcessMemory.ResetPeak();
                    long rss = ProcessMemory.Resident();
                    long started = Stopwatch.GetTimestamp();
                    var outcome = compressor.Compress(dense);
                    double compressMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    using var cache = outcome.Cache;
                    StepTimings.Reset();
                    double decodeMs = Decode(cache, context, prompt[^1]);
                    WriteBreakdown($"{name} B={budget} decode step at {context}", decodeMs, options.DecodeSteps + WarmUpSteps);
                    rows.Add(Row(name, context, budget, prefillMs, compressMs, decodeMs, cache, prefillPeak, rss));
                    options.Progress?.Report((rows.Count, total));
                }
            if (options.Policies.Any(IsFull))
            {
                ProcessMemory.ResetPeak();
                long rss = ProcessMemory.Resident();
                StepTimings.Reset();
                double decodeMs = Decode(dense, context, prompt[^1]);
                WriteBreakdown($"full-cache decode step at {context}", decodeMs, options.DecodeSteps + WarmUpSteps);
                rows.Add(Row(BudgetPolicies.Full, context, context, prefillMs, 0, decodeMs, dense, prefillPeak, rss));
                options.Progress?.Report((rows.Count, total));
                dense.Truncate(context);
            }
        }
        return rows;
    }

    /// <summary>With <see cref="CacheBenchmarkOptions.Breakdown"/>: each part's ms per call of the measured thing.</summary>
    void WriteBreakdown(string what, double totalMs, int calls)
    {
        if (!options.Breakdown) return;
        log.WriteLine($"  breakdown of one {what} ({totalMs:F2} ms, median; parts are means over {calls}):");
        foreach (var (part, ms, count) in StepTimings.Snapshot())
            log.WriteLine($"    {part,-42} {ms / calls,9:F3} ms  {count / (double)calls,7:F0} calls");
    }

    CacheBenchmarkRow Row(string policy, int context, int budget, double prefillMs, double compressMs, double decodeMs, IKvCache cache, long prefillPeak, long rssBefore)
    {
        long peak = Math.Max(prefillPeak, ProcessMemory.Peak());
        var row = new CacheBenchmarkRow(policy, context, budget, prefillMs, compressMs, decodeMs,
            KvBytesAtPrompt(cache, context), FullBytesAtPrompt(cache, context), peak, prefillPeak, ProcessMemory.Resident() - rssBefore);
        log.WriteLine($"  {policy,-10} B={budget,6} compress {compressMs,8:F1} ms  decode {decodeMs,7:F2} ms/token  KV {row.KvBytes / 1048576.0,8:F2} MiB of {row.KvBytesFull / 1048576.0,8:F2} MiB ({100.0 * row.KvBytes / row.KvBytesFull,5:F1}%)  peak RSS {peak / 1048576.0:F0} MiB  ΔRSS {row.RssDeltaBytes / 1048576.0:F1} MiB");
        return row;
    }

    // Bytes as compressed, before the decode steps added theirs: what the policy kept of the prompt.
    long KvBytesAtPrompt(IKvCache cache, int context) => cache.KeptBytes - DecodedBytes();
    long FullBytesAtPrompt(IKvCache cache, int context) => cache.FullCacheBytes - DecodedBytes();

    long DecodedBytes()
    {
        var config = decoder.Config;
        using var probe = empty(0, decoder.DType);
        return (long)(options.DecodeSteps + WarmUpSteps) * config.LayerCount * config.KvHeadCount * 2 * config.HeadDim * probe.ElementSize;
    }

    void Prefill(DenseKvCache dense, int[] prompt)
    {
        for (int start = 0; start < prompt.Length; start += options.ChunkSize)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(options.ChunkSize, prompt.Length - start);
            var input = tensor(prompt.AsSpan(start, count).ToArray().Select(t => (long)t).ToArray()).unsqueeze(0);
            var hidden = decoder.Hidden(input, start, dense);
            decoder.Logits(hidden[0, -1]).max().item<float>(); // the engine computes the last logits too
        }
    }

    /// <summary>
    /// Median ms of one decode step (model + cache), over DecodeSteps steps after two warm-up steps; through the managed
    /// step where the engine would use it.
    /// </summary>
    double Decode(IKvCache cache, int position, int token)
    {
        var samples = new double[options.DecodeSteps];
        using var step = cache is IManagedDecodeCache { SupportsManagedDecode: true } && DecodeWeights.Supports(decoder)
            ? new DecodeStep(decoder, decoder.ManagedWeights, get_num_threads()) : null;
        for (int i = -WarmUpSteps; i < options.DecodeSteps; i++)
        {
            using var scope = NewDisposeScope();
            long started = Stopwatch.GetTimestamp();
            Tensor logits;
            if (step != null) logits = step.Run(token, position++, (IManagedDecodeCache)cache);
            else logits = decoder.Logits(decoder.Hidden(tensor(new long[] { token }).unsqueeze(0), position++, cache)[0, -1]);
            token = (int)logits.argmax().item<long>();
            if (i >= 0) samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        Array.Sort(samples);
        return samples[samples.Length / 2];
    }

    const int WarmUpSteps = 2;

    static bool IsFull(string policy) => BudgetPolicies.TryFind(policy, out var entry) && entry.Name == BudgetPolicies.Full;

    static double Time(Action action)
    {
        long started = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }
}
