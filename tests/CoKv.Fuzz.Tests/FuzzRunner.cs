using System.Diagnostics;
using CoKv.Models;
using Xunit.Abstractions;

namespace CoKv.Fuzz.Tests;

/// <summary>One mutated input: what was done to it, the folder it lies in (a message must name it), how to load it.</summary>
sealed record FuzzCase(string What, string Folder, Action Load);

/// <summary>
/// Runs seeded cases one at a time, each on its own thread with a timeout and a memory watch: the case fails when it
/// throws anything but <see cref="ModelFormatException"/> (ProfileFormatException is one), when its message is long
/// or does not name the file, when it runs past <see cref="CaseTimeout"/>, when it allocates more than
/// <see cref="MaxCaseAllocatedBytes"/> of managed memory, or when the process's resident memory rises more than
/// <see cref="MaxRssGrowthBytes"/> above where the run started.
/// </summary>
sealed class FuzzRunner(ITestOutputHelper output)
{
    public static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(20);
    public const long MaxCaseAllocatedBytes = 256L << 20;
    public const long MaxRssGrowthBytes = 1L << 30;
    public const int MaxMessageLength = 1000;

    public sealed record Summary(string Format, int Cases, int Refused, int Loaded, TimeSpan Elapsed, long MaxAllocated, long PeakRssGrowth, IReadOnlyList<string> Failures);

    /// <summary>
    /// COKV_FUZZ_SCALE (a whole number, default 1) multiplies every format's case count and COKV_FUZZ_SEED (default 0)
    /// shifts the seeds: for a longer hunt by hand; the suite runs the defaults.
    /// </summary>
    static readonly int Scale = int.TryParse(Environment.GetEnvironmentVariable("COKV_FUZZ_SCALE"), out int s) && s > 0 ? s : 1;
    static readonly int SeedShift = int.TryParse(Environment.GetEnvironmentVariable("COKV_FUZZ_SEED"), out int s) ? s : 0;

    public Summary Run(string format, int cases, int seed, Func<Random, FuzzCase> make)
    {
        cases *= Scale;
        seed += SeedShift * 1000;
        var failures = new List<string>();
        int refused = 0, loaded = 0;
        long maxAllocated = 0;
        using var rss = new RssWatch();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < cases && failures.Count < 20; i++)
        {
            var random = new Random(seed * 100_003 + i);
            var c = make(random);
            var label = $"{format} case {i} (seed {seed}): {c.What}";
            var task = Task.Factory.StartNew(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                Exception? error = null;
                try { c.Load(); }
                catch (Exception e) { error = e; }
                return (Error: error, Allocated: GC.GetAllocatedBytesForCurrentThread() - before);
            }, TaskCreationOptions.LongRunning);
            if (!task.Wait(CaseTimeout))
            {
                failures.Add($"{label}: no result after {CaseTimeout.TotalSeconds} s (hang).");
                break;
            }
            var (error, allocated) = task.Result;
            maxAllocated = Math.Max(maxAllocated, allocated);
            if (allocated > MaxCaseAllocatedBytes)
                failures.Add($"{label}: allocated {allocated:N0} bytes (bound {MaxCaseAllocatedBytes:N0}).");
            if (rss.PeakGrowth > MaxRssGrowthBytes)
            {
                failures.Add($"{label}: resident memory rose {rss.PeakGrowth:N0} bytes above the start (bound {MaxRssGrowthBytes:N0}).");
                break;
            }
            switch (error)
            {
                case null: loaded++; break;
                case ModelFormatException e when e.Message.Length > MaxMessageLength:
                    failures.Add($"{label}: a {e.Message.Length:N0}-character message: {e.Message[..200]}…"); break;
                case ModelFormatException e when !e.Message.Contains(c.Folder, StringComparison.Ordinal):
                    failures.Add($"{label}: the message does not name the file: {e.Message}"); break;
                case ModelFormatException: refused++; break;
                default:
                    var message = error.Message.Length > 300 ? error.Message[..300] + "…" : error.Message;
                    var at = string.Join(" | ", (error.StackTrace ?? "").Split('\n').Take(4).Select(l => l.Trim()));
                    failures.Add($"{label}: {error.GetType().Name}: {message} at {at}"); break;
            }
        }
        var summary = new Summary(format, refused + loaded + failures.Count, refused, loaded, clock.Elapsed, maxAllocated, rss.PeakGrowth, failures);
        output.WriteLine($"{format}: {summary.Cases} cases, {refused} refused with ModelFormatException, {loaded} loaded, {failures.Count} failures; " +
                         $"{clock.Elapsed.TotalSeconds:F1} s; largest allocation of a case {maxAllocated / (1 << 20):N0} MiB; peak RSS growth {rss.PeakGrowth / (1 << 20):N0} MiB");
        foreach (var f in failures) output.WriteLine("  " + f);
        return summary;
    }

    /// <summary>Samples the process's resident set every few milliseconds; reports the peak above the first sample.</summary>
    sealed class RssWatch : IDisposable
    {
        readonly long _start = Resident();
        long _peak;
        volatile bool _stop;
        readonly Thread _thread;

        public RssWatch()
        {
            _peak = _start;
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    long now = Resident();
                    if (now > Interlocked.Read(ref _peak)) Interlocked.Exchange(ref _peak, now);
                    Thread.Sleep(5);
                }
            }) { IsBackground = true, Name = "fuzz RSS watch" };
            _thread.Start();
        }

        public long PeakGrowth => Math.Max(Interlocked.Read(ref _peak), Resident()) - _start;

        static long Resident()
        {
            // /proc/self/statm: size resident shared ... in pages.
            if (OperatingSystem.IsLinux())
            {
                var fields = File.ReadAllText("/proc/self/statm").Split(' ');
                return long.Parse(fields[1]) * Environment.SystemPageSize;
            }
            return Environment.WorkingSet;
        }

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }
    }
}
