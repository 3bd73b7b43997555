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
        var command = new Command("bench-kernels",
            "Time our int8 block kernels against llama.cpp's (ggml's vec_dot from LLamaSharp's build) on the same quantized matrix, one thread.")
            { types, rows, columns, repeats, seed, attention };
        command.SetAction(parse => CommandErrors.Guard(() =>
        {
            if (parse.GetValue(attention) is { } shape) return Attention(shape, parse.GetValue(repeats), parse.GetValue(seed));
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
        var p = shape.Split(',');
        if (p.Length != 5 || !p.All(v => int.TryParse(v, out var n) && n > 0))
            throw new ArgumentException($"--attention takes five positive integers TOKENS,HEADS,KV_HEADS,HEAD_DIM,THREADS, not '{shape}'.");
        var n = p.Select(int.Parse).ToArray();
        if (n[1] % n[2] != 0) throw new ArgumentException($"{n[1]} heads do not divide into {n[2]} KV heads.");
        var r = AttentionBenchmark.Run(n[0], n[1], n[2], n[3], n[4], Math.Max(repeats, 1), seed);
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
            "decode attention, one layer: {0} tokens, {1}/{2} heads x {3}, {4} threads: {5:F3} ms (median of {6}); K+V {7:F2} MiB read at {8:F2} GB/s",
            r.Tokens, r.Heads, r.KvHeads, r.HeadDim, r.Threads, r.Milliseconds, Math.Max(repeats, 1), r.CacheBytes / 1048576.0, r.GigabytesPerSecond));
        return 0;
    }

    static GgmlType ParseType(string name) =>
        Enum.TryParse<GgmlType>(name, ignoreCase: true, out var type) && Enum.IsDefined(type) ? type
            : throw new ArgumentException($"'{name}' is not a ggml type name (e.g. Q4_K, Q6_K, Q8_0).");
}
