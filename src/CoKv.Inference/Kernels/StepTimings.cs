using System.Diagnostics;

namespace CoKv.Kernels;

/// <summary>
/// Where a prefill or decode step spends its time, by part (what <c>cokv bench --breakdown</c> prints). Off unless a
/// benchmark turns it on: then each timed part costs two timestamp reads.
/// </summary>
public static class StepTimings
{
    static readonly Dictionary<string, (long Ticks, long Calls)> s_parts = new(StringComparer.Ordinal);

    public static bool Enabled { get; set; }

    public static long Start() => Enabled ? Stopwatch.GetTimestamp() : 0;

    public static void Stop(string part, long started)
    {
        if (!Enabled) return;
        long elapsed = Stopwatch.GetTimestamp() - started;
        lock (s_parts)
        {
            s_parts.TryGetValue(part, out var sum);
            s_parts[part] = (sum.Ticks + elapsed, sum.Calls + 1);
        }
    }

    /// <summary>Milliseconds and call counts per part since the last reset, largest first.</summary>
    public static IReadOnlyList<(string Part, double Milliseconds, long Calls)> Snapshot()
    {
        lock (s_parts)
            return s_parts.Select(p => (p.Key, p.Value.Ticks * 1000.0 / Stopwatch.Frequency, p.Value.Calls))
                .OrderByDescending(p => p.Item2).ToArray();
    }

    public static void Reset()
    {
        lock (s_parts) s_parts.Clear();
    }
}
