using System.CommandLine;
using System.Globalization;
using CoKv.Cli.Benchmarks;
using CoKv.Gguf;

namespace CoKv.Cli.Commands;

/// <summary><c>cokv bench-kernels</c>: our quantized matrix–vector kernels against ggml's, per type, one thread.</summary>
public static class BenchKernelsCommand
{
    static readonly GgmlType[] DefaultTypes =
        [GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.IQ4_NL, GgmlType.IQ4_XS];

    public static Command Create()
    {
        var types = new Option<string?>("--types") { Description = "Comma-separated weight types (default: every type with an int8 kernel)." };
        var rows = new Option<int>("--rows") { Description = "Rows of the matrix (outputs).", DefaultValueFactory = _ => 2048 };
        var columns = new Option<int>("--columns") { Description = "Columns (inputs); a multiple of 256 for the K-quants.", DefaultValueFactory = _ => 2048 };
        var repeats = new Option<int>("--repeats") { Description = "Timed passes per kernel (the median is shown).", DefaultValueFactory = _ => 15 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var attention = new Option<string?>("--attention")
        {
            Description = "Instead: time one layer's decode attention over a full cache, as TOKENS,HEADS,KV_HEADS,HEAD_DIM,THREADS (e.g. 512,32,8,64,2 for Llama-3.2-1B).",
        };
        var prefillAttention = new Option<string?>("--prefill-attention")
        {
            Description = "Instead: time one layer's prefill attention for the last chunk of a prompt, as CHUNK,CONTEXT,HEADS,KV_HEADS,HEAD_DIM,THREADS (e.g. 512,4096,32,8,64,2), with the RSS it adds.",
        };
        var command = new Command("bench-kernels",
            "Time our int8 block kernels against llama.cpp's (ggml's vec_dot from LLamaSharp's build) on the same quantized matrix, one thread.")
            { types, rows, columns, repeats, seed, attention, prefillAttention };
        command.SetAction(parse => CommandErrors.Guard(() =>
        {
            if (parse.GetValue(attention) is { } shape) return Attention(shape, parse.GetValue(repeats), parse.GetValue(seed));
            if (parse.GetValue(prefillAttention) is { } prefillShape) return PrefillAttention(prefillShape, parse.GetValue(repeats), parse.GetValue(seed));
            var list = parse.GetValue(types) is { } t
                ? t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseType).ToArray()
                : DefaultTypes;
            if (parse.GetValue(rows) < 1 || parse.GetValue(columns) < 256 || parse.GetValue(columns) % 256 != 0 || parse.GetValue(repeats) < 1)
                throw new ArgumentException("--rows and --repeats must be positive and --columns a positive multiple of 256.");
            var f = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Format(f, "{0} x {1}, one thread, median of {2} passes; ratio = ggml time / ours (above 1: ours faster)",
                parse.GetValue(rows), parse.GetValue(columns), parse.GetValue(repeats)));
            Console.WriteLine("type     MiB    ours ms  ggml ms  ratio  ours GB/s  max rel diff");
            foreach (var type in list)
            {
                var r = KernelBenchmark.Run(type, parse.GetValue(rows), parse.GetValue(columns), parse.GetValue(repeats), parse.GetValue(seed));
                Console.WriteLine(string.Format(f, "{0,-7} {1,5:F1} {2,9:F3} {3,8:F3} {4,6:F2} {5,10:F2}  {6:E1}",
                    type, r.Bytes / 1048576.0, r.OursMs, r.GgmlMs, r.Ratio, r.OursGigabytesPerSecond, r.MaxRelativeDifference));
            }
            return 0;
        }));
        return command;
    }

    static int Attention(string shape, int repeats, int seed)
    {
        var n = PositiveIntegers(shape, 5, "--attention", "TOKENS,HEADS,KV_HEADS,HEAD_DIM,THREADS");
        if (n[1] % n[2] != 0) throw new ArgumentException($"{n[1]} heads do not divide into {n[2]} KV heads.");
        var r = AttentionBenchmark.Run(n[0], n[1], n[2], n[3], n[4], Math.Max(repeats, 1), seed);
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
            "decode attention, one layer: {0} tokens, {1}/{2} heads x {3}, {4} threads: {5:F3} ms (median of {6}); K+V {7:F2} MiB read at {8:F2} GB/s",
            r.Tokens, r.Heads, r.KvHeads, r.HeadDim, r.Threads, r.Milliseconds, Math.Max(repeats, 1), r.CacheBytes / 1048576.0, r.GigabytesPerSecond));
        return 0;
    }

    static int PrefillAttention(string shape, int repeats, int seed)
    {
        var n = PositiveIntegers(shape, 6, "--prefill-attention", "CHUNK,CONTEXT,HEADS,KV_HEADS,HEAD_DIM,THREADS");
        if (n[2] % n[3] != 0) throw new ArgumentException($"{n[2]} heads do not divide into {n[3]} KV heads.");
        var r = PrefillAttentionBenchmark.Run(n[0], n[1], n[2], n[3], n[4], n[5], Math.Max(repeats, 1), seed);
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
            "prefill attention, one layer: last {0} of {1} tokens, {2}/{3} heads x {4}, {5} threads: {6:F1} ms (median of {7}); peak RSS added {8:F1} MiB",
            r.Chunk, r.Context, r.Heads, r.KvHeads, r.HeadDim, r.Threads, r.Milliseconds, Math.Max(repeats, 1), r.PeakBytes / 1048576.0));
        return 0;
    }

    static int[] PositiveIntegers(string text, int count, string option, string form)
    {
        var p = text.Split(',');
        if (p.Length != count || !p.All(v => int.TryParse(v, out var n) && n > 0))
            throw new ArgumentException($"{option} takes {count} positive integers {form}, not '{text}'.");
        return p.Select(int.Parse).ToArray();
    }

    static GgmlType ParseType(string name) =>
        Enum.TryParse<GgmlType>(name, ignoreCase: true, out var type) && Enum.IsDefined(type) ? type
            : throw new ArgumentException($"'{name}' is not a ggml type name (e.g. Q4_K, Q6_K, Q8_0).");
}
