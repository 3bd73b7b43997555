using System.CommandLine;
using System.Globalization;
using CoKv.Benchmarks;
using CoKv.Decoding;
using CoKv.Models;
using CoKv.Plotting;
using CoKv.Profiling;
using CoKv.Training;
using static TorchSharp.torch;

namespace CoKv.Cli.Commands;

/// <summary><c>cokv bench</c>: prefill, compression and decode cost of the budget policies against the full cache.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "A model file or folder (GGUF, HF folder, llama2.c)." };
        var shape = new Option<string?>("--shape") { Description = $"Random weights in a known shape: {string.Join(", ", ModelShapes.Names)}." };
        var contexts = new Option<string>("--contexts") { Description = "Prompt lengths, comma-separated.", DefaultValueFactory = _ => "512,2048" };
        var budgets = new Option<string>("--budgets") { Description = "Mean tokens per KV head, comma-separated.", DefaultValueFactory = _ => "128" };
        var policies = new Option<string>("--policies") { Description = "Budget policies, comma-separated (full decodes on the dense cache).", DefaultValueFactory = _ => "full,snapkv,ada" };
        var steps = new Option<int>("--decode-steps") { Description = "Decode steps timed per row (median).", DefaultValueFactory = _ => 32 };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0 = TorchSharp's default).", DefaultValueFactory = _ => 0 };
        var chunk = new Option<int>("--chunk") { Description = "Prefill chunk size.", DefaultValueFactory = _ => 512 };
        var window = new Option<int>("--window") { Description = "SnapKV observation window.", DefaultValueFactory = _ => 8 };
        var dtype = new Option<string>("--dtype") { Description = "f32 or bf16.", DefaultValueFactory = _ => "f32" };
        var csv = new Option<string?>("--csv") { Description = "Write the rows as CSV." };
        var png = new Option<string?>("--png") { Description = "Plot decode ms/token against context." };
        var breakdown = new Option<bool>("--breakdown") { Description = "Also print each part's time in a prefill and a decode step (docs/performance.md)." };
        var layouts = new Option<bool>("--layouts") { Description = "Instead: time decode attention over ragged heads in each candidate layout." };
        var command = new Command("bench", "Benchmark the head-budgeted KV cache against the full cache.")
        { model, shape, contexts, budgets, policies, steps, threads, chunk, window, dtype, csv, png, breakdown, layouts };
        command.SetAction(async (parse, cancellation) =>
        {
            if (parse.GetValue(threads) is > 0 and var t) set_num_threads(t);
            var config = ModelShapes.Get(parse.GetValue(shape) ?? "smollm2-135m");
            if (parse.GetValue(layouts))
            {
                DecodeAttentionLayouts.Run(config.HeadCount, config.KvHeadCount, config.HeadDim, IntList.Parse(parse.GetValue(budgets), "--budgets") ?? [], parse.GetValue(steps), 400, Console.Out);
                return 0;
            }
            var runType = parse.GetValue(dtype) is "bf16" ? ScalarType.BFloat16 : ScalarType.Float32;
            using var decoder = Load(parse.GetValue(model), parse.GetValue(shape), runType);
            Console.WriteLine($"model: {Describe(decoder.Config)}, {runType}, threads {get_num_threads()}");
            var options = new CacheBenchmarkOptions
            {
                Contexts = IntList.Parse(parse.GetValue(contexts), "--contexts") ?? [],
                Budgets = IntList.Parse(parse.GetValue(budgets), "--budgets") ?? [],
                Policies = parse.GetValue(policies)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                DecodeSteps = parse.GetValue(steps),
                ChunkSize = parse.GetValue(chunk),
                Window = parse.GetValue(window),
                Breakdown = parse.GetValue(breakdown),
            };
            var rows = await CliProgress.RunSync("bench rows", bar => new CacheBenchmark(decoder,
                options with { Progress = new SyncProgress<(int Done, int Total)>(p => bar.Reporter.Report(new WorkProgress(p.Done, p.Total))) },
                bar.Log).Run(cancellation));
            PrintTable(rows);
            if (parse.GetValue(csv) is { } csvPath)
                File.WriteAllLines(csvPath, rows.Select(r => r.ToCsv()).Prepend(CacheBenchmarkRow.CsvHeader));
            if (parse.GetValue(png) is { } pngPath) Plot(rows, pngPath, decoder.Config);
            return 0;
        });
        return command;
    }

    static Decoder Load(string? path, string? shape, ScalarType dtype)
    {
        if (path is not null)
        {
            return CliProgress.Loading(path, () =>
            {
                using var bundle = ModelFiles.Open(path);
                return DecoderLoader.Load(bundle.Config, bundle.Weights, dtype);
            });
        }
        var decoder = new Decoder(ModelShapes.Get(shape ?? "smollm2-135m"), dtype);
        DecoderInitializer.Initialize(decoder, seed: 1);
        return decoder;
    }

    static string Describe(ModelConfig c) =>
        $"{c.Architecture} {c.LayerCount} layers, d {c.HiddenSize}, {c.HeadCount} heads / {c.KvHeadCount} KV heads x {c.HeadDim}";

    static void PrintTable(IReadOnlyList<CacheBenchmarkRow> rows) => CliTable.Print(
        ["policy", "context", "budget", "prefill ms", "compress ms", "decode ms/tok", "KV MiB", "full MiB", "KV %", "peak RSS MiB"],
        rows.Select(r => new[]
        {
            r.Policy, I(r.Context), I(r.Budget), F(r.PrefillMs, "F0"), F(r.CompressMs, "F1"), F(r.DecodeMsPerToken, "F2"),
            F(r.KvBytes / 1048576.0, "F2"), F(r.KvBytesFull / 1048576.0, "F2"), F(100.0 * r.KvBytes / r.KvBytesFull, "F2"), F(r.PeakRssBytes / 1048576.0, "F0"),
        }),
        () => PrintPlain(rows));

    static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    static void PrintPlain(IReadOnlyList<CacheBenchmarkRow> rows)
    {
        Console.WriteLine($"{"policy",-10} {"context",8} {"budget",7} {"prefill ms",11} {"compress ms",12} {"decode ms/tok",14} {"KV MiB",9} {"full MiB",9} {"KV %",6} {"peak RSS MiB",13}");
        foreach (var r in rows)
            Console.WriteLine($"{r.Policy,-10} {r.Context,8} {r.Budget,7} {r.PrefillMs,11:F0} {r.CompressMs,12:F1} {r.DecodeMsPerToken,14:F2} {r.KvBytes / 1048576.0,9:F2} {r.KvBytesFull / 1048576.0,9:F2} {100.0 * r.KvBytes / r.KvBytesFull,6:F2} {r.PeakRssBytes / 1048576.0,13:F0}");
    }

    static void Plot(IReadOnlyList<CacheBenchmarkRow> rows, string path, ModelConfig config)
    {
        var chart = new LineChart { Title = $"Decode cost, {config.LayerCount} layers x {config.KvHeadCount} KV heads", XLabel = "context (tokens)", YLabel = "decode ms / token", LogX2 = true };
        foreach (var group in rows.Where(r => r.Policy != "full").GroupBy(r => (r.Policy, r.Budget)))
            chart.Add($"{group.Key.Policy} B={group.Key.Budget}", group.OrderBy(r => r.Context).Select(r => ((double)r.Context, r.DecodeMsPerToken)));
        var full = rows.Where(r => r.Policy == "full").OrderBy(r => r.Context).Select(r => ((double)r.Context, r.DecodeMsPerToken)).ToArray();
        if (full.Length > 0) chart.Add("full cache", full, dashed: true);
        chart.Save(path);
    }
}
