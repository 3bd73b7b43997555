using System.CommandLine;
using System.Globalization;
using System.Text;
using CoKv.Compression;
using CoKv.Datasets;
using CoKv.Plotting;
using CoKv.Profiles;
using CoKv.Profiling;

namespace CoKv.Cli.Commands;

/// <summary>
/// <c>cokv eval</c>: the score of every policy at every budget, beside the full cache's, per task type: a table, a CSV
/// (<c>policy,budget,task_type,score,full_score,n</c>) and a PNG of score against budget, one line per policy.
/// The policy <c>llamasharp</c> adds llama.cpp's full cache (through LLamaSharp) on the same GGUF and samples.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var model = ModelPathOption.Create();
        var data = new Option<string?>("--data") { Description = "A JSONL file of task samples; its test split (85%) is scored." };
        var synthetic = new Option<string?>("--synthetic") { Description = $"Built-in generator(s), comma-separated: {string.Join(", ", ProfileData.SyntheticKinds)}." };
        var length = new Option<int>("--length") { Description = "Tokens per synthetic sample.", DefaultValueFactory = _ => 2048 };
        var count = new Option<int>("--count") { Description = "Synthetic samples per kind.", DefaultValueFactory = _ => 8 };
        var policies = new Option<string>("--policies") { Description = $"Comma-separated: {string.Join(", ", BudgetPolicies.Names)}, or {LlamaSharpEngine.Name} (llama.cpp's full cache on the same .gguf).", DefaultValueFactory = _ => string.Join(",", BudgetPolicies.Names) };
        var budgets = new Option<string>("--budgets") { Description = "Mean tokens per KV head, comma-separated.", DefaultValueFactory = _ => "16,32,64,128" };
        var profiles = new Option<string>("--profiles") { Description = "Profile store for cokv and baklava (the profile of each sample's task type).", DefaultValueFactory = _ => "profiles" };
        var taskType = new Option<string?>("--task-type") { Description = "Score every sample as this task type (and use its profiles)." };
        var window = new Option<int>("--window") { Description = "SnapKV observation window w.", DefaultValueFactory = _ => 8 };
        var kernel = new Option<int>("--kernel") { Description = "SnapKV pooling kernel (odd).", DefaultValueFactory = _ => new SnapKvOptions().Kernel };
        var pooling = new Option<PoolingKind>("--pooling") { Description = "SnapKV pooling: Max, Average or None.", DefaultValueFactory = _ => new SnapKvOptions().Pooling };
        var keyNorm = new Option<double>("--key-norm") { Description = "Weight of the query-agnostic low-key-norm term in SnapKV's scores (0: none).", DefaultValueFactory = _ => new SnapKvOptions().KeyNormWeight };
        var promptQueries = new Option<double>("--prompt-queries") { Description = "λ of the prompt-attention term in SnapKV's scores: the attention every S-th prompt token pays to each position (0: none).", DefaultValueFactory = _ => new SnapKvOptions().PromptQueryWeight };
        var queryStride = new Option<int>("--query-stride") { Description = "S: the prompt-attention term reads every S-th prompt query.", DefaultValueFactory = _ => new SnapKvOptions().PromptQueryStride };
        var queryBand = new Option<int>("--query-band") { Description = "D: the prompt-attention term leaves out attention within D positions of its query.", DefaultValueFactory = _ => new SnapKvOptions().PromptQueryBand };
        var queryAggregate = new Option<QueryAggregate>("--query-aggregate") { Description = "How the prompt-attention term combines its queries' attention: Mean, Max or Follow (chains from the window's votes).", DefaultValueFactory = _ => new SnapKvOptions().PromptQueryAggregate };
        var lookahead = new Option<int>("--lookahead") { Description = "L: decode up to L answer tokens on the full cache before compressing, whose queries vote with SnapKV's window (0: none).", DefaultValueFactory = _ => new SnapKvOptions().Lookahead };
        var spread = new Option<double>("--spread") { Description = "λ of the spread prior in SnapKV's scores: positions the queries do not single out are kept as an even sample of the prompt (0: none).", DefaultValueFactory = _ => new SnapKvOptions().SpreadWeight };
        var queryRounds = new Option<int>("--query-rounds") { Description = "Rounds of the Follow aggregate (hops followed).", DefaultValueFactory = _ => new SnapKvOptions().PromptQueryRounds };
        var knobs = new Option<string?>("--policy-parameter") { Description = "Policy knobs, e.g. cokv=0.25,pyramid=20 (cokv: zero-budget fraction)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic samples (profiles use another).", DefaultValueFactory = _ => (int)ProfileData.EvaluationSeed };
        var threads = new Option<int>("--threads") { Description = "CPU threads.", DefaultValueFactory = _ => 2 };
        var csv = new Option<string?>("--csv") { Description = "Write the rows as CSV here." };
        var png = new Option<string?>("--png") { Description = "Plot score against budget here (one file per task type beside it when there are several)." };
        var answersOption = new Option<string?>("--answers") { Description = "Write every answer (sample, policy, budget, text, references, score) as JSON lines here." };
        var fromCsv = new Option<string[]?>("--from-csv") { Description = "Score nothing: read the rows of earlier runs' CSVs (several join), then print, --csv and --png them.", AllowMultipleArgumentsPerToken = true };
        var dumpKept = new Option<string?>("--dump-kept") { Description = "Write the prompt positions each KV head kept, and the heads that kept each fact of the answer, as JSON lines here; print per fact how often it survived." };

        var command = new Command("eval", "Score budget policies at several budgets against the full cache.")
        {
            model, data, synthetic, length, count, policies, budgets, profiles, taskType, window, kernel, pooling, keyNorm, promptQueries, queryStride, queryBand, queryAggregate, queryRounds, lookahead, spread, knobs, seed, threads, csv, png, answersOption, dumpKept, fromCsv,
        };
        command.SetAction((parse, ct) => ProfileCommandSupport.Guard(async () =>
        {
            if (parse.GetValue(fromCsv) is { Length: > 0 } inputs)
            {
                var read = inputs.SelectMany(ReadCsv).ToArray();
                PrintTable(read);
                if (parse.GetValue(csv) is { } outCsv) { WriteCsv(outCsv, read); Console.WriteLine($"CSV: {outCsv}"); }
                if (parse.GetValue(png) is { } outPng) foreach (var written in Plot(outPng, read)) Console.WriteLine($"PNG: {written}");
                return 0;
            }
            var budgetList = IntList.Parse(parse.GetValue(budgets), "--budgets") ?? throw new ArgumentException("--budgets is empty.");
            var policyList = ProfileCommandSupport.ParseNames(parse.GetValue(policies)!);
            using var local = ProfileCommandSupport.LoadModel(parse.GetValue(model), parse.GetValue(threads));
            var profiling = ProfilingModel.From(local);
            var samples = LoadSamples(parse.GetValue(data), parse.GetValue(synthetic), parse.GetValue(length), parse.GetValue(count), parse.GetValue(seed), profiling);
            if (parse.GetValue(taskType) is { } forced) samples = samples.Select(s => s with { Category = forced }).ToArray();
            var store = new ProfileStore(parse.GetValue(profiles)!);
            BudgetProfile? Find(string type, string method) =>
                store.TryFind(profiling.Fingerprint, type, method, out var p) ? p : null;

            var clock = ProfileCommandSupport.Clock();
            using var llamaSharp = policyList.Contains(LlamaSharpEngine.Name, StringComparer.OrdinalIgnoreCase)
                ? LlamaSharpEngine.Load(ModelPathOption.Resolve(parse.GetValue(model)), profiling.ContextLength, parse.GetValue(threads))
                : null;
            var snapKv = new SnapKvOptions { Window = parse.GetValue(window), Kernel = parse.GetValue(kernel), Pooling = parse.GetValue(pooling), KeyNormWeight = parse.GetValue(keyNorm),
                PromptQueryWeight = parse.GetValue(promptQueries), PromptQueryStride = parse.GetValue(queryStride), PromptQueryBand = parse.GetValue(queryBand),
                PromptQueryAggregate = parse.GetValue(queryAggregate), PromptQueryRounds = parse.GetValue(queryRounds), Lookahead = parse.GetValue(lookahead), SpreadWeight = parse.GetValue(spread) };
            snapKv.Validate();
            var evaluator = new PolicyEvaluator(profiling, snapKv)
            {
                PolicyParameters = ParseKnobs(parse.GetValue(knobs)),
                Engines = llamaSharp is null ? new Dictionary<string, ReferenceEngine>() : new() { [LlamaSharpEngine.Name] = llamaSharp.Answer },
            };
            using var answerLog = parse.GetValue(answersOption) is { } answersPath ? AnswerLog.Create(answersPath) : null;
            using var keptLog = parse.GetValue(dumpKept) is { } keptPath ? KeptLog.Create(keptPath, profiling.Tokenizer, profiling.KvHeads) : null;
            var rows = await CliProgress.RunSync("eval samples", bar => evaluator.Run(samples, policyList, budgetList, Find,
                new SyncProgress<EvalProgress>(p => bar.Reporter.Report(new WorkProgress(p.SamplesDone, p.SamplesTotal))), ct,
                answerLog is null ? null : answerLog.Write, keptLog is null ? null : keptLog.Write));
            PrintTable(rows);
            keptLog?.PrintSummary();
            Console.WriteLine($"{samples.Count} samples, {policyList.Length} policies x {budgetList.Length} budgets in {clock.Elapsed.TotalSeconds:F0} s");
            if (parse.GetValue(csv) is { } csvPath)
            {
                WriteCsv(csvPath, rows);
                Console.WriteLine($"CSV: {csvPath}");
            }
            if (answerLog is not null) Console.WriteLine($"answers: {parse.GetValue(answersOption)}");
            if (parse.GetValue(png) is { } pngPath)
                foreach (var written in Plot(pngPath, rows)) Console.WriteLine($"PNG: {written}");
            return 0;
        }));
        return command;
    }

    static Dictionary<string, double> ParseKnobs(string? text)
    {
        var knobs = new Dictionary<string, double>();
        foreach (var item in ProfileCommandSupport.ParseNames(text ?? ""))
        {
            var parts = item.Split('=', 2);
            if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                throw new ArgumentException($"--policy-parameter '{item}' is not of the form policy=number (e.g. cokv=0.25).");
            knobs[BudgetPolicies.Find(parts[0]).Name] = value;
        }
        return knobs;
    }

    static IReadOnlyList<TaskSample> LoadSamples(string? data, string? synthetic, int length, int count, int seed, ProfilingModel model)
    {
        if ((data is null) == (synthetic is null)) throw new ArgumentException("Give exactly one of --data FILE and --synthetic KIND[,KIND...].");
        if (data is not null) return ProfileData.ForEvaluation(new ProfileDataSource(DataFile: data), model.Tokenizer);
        return ProfileCommandSupport.ParseNames(synthetic!)
            .SelectMany(kind => ProfileData.ForEvaluation(new ProfileDataSource(SyntheticKind: kind, SyntheticLength: length, SyntheticCount: count), model.Tokenizer, seed))
            .ToArray();
    }

    static void PrintTable(IReadOnlyList<EvalRow> rows) => CliTable.Print(
        ["task type", "policy", "budget", "score", "% full", "n"],
        rows.Select(r => new[]
        {
            r.TaskType, r.Policy, r.Budget.ToString(CultureInfo.InvariantCulture), r.Score.ToString("F3", CultureInfo.InvariantCulture),
            double.IsNaN(r.PercentOfFull) ? "-" : r.PercentOfFull.ToString("F0", CultureInfo.InvariantCulture), r.N.ToString(CultureInfo.InvariantCulture),
        }),
        () => PrintPlain(rows));

    static void PrintPlain(IReadOnlyList<EvalRow> rows)
    {
        Console.WriteLine($"{"task type",-20} {"policy",-10} {"budget",6} {"score",7} {"% full",7} {"n",4}");
        foreach (var r in rows)
            Console.WriteLine($"{r.TaskType,-20} {r.Policy,-10} {r.Budget,6} {r.Score,7:F3} {(double.IsNaN(r.PercentOfFull) ? "-" : r.PercentOfFull.ToString("F0", CultureInfo.InvariantCulture)),7} {r.N,4}");
    }

    static IEnumerable<EvalRow> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != "policy,budget,task_type,score,full_score,n")
            throw new InvalidDataException($"{path}: not a `cokv eval --csv` file (header policy,budget,task_type,score,full_score,n).");
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split(',');
            if (f.Length != 6 || !int.TryParse(f[1], CultureInfo.InvariantCulture, out var budget)
                || !double.TryParse(f[3], CultureInfo.InvariantCulture, out var score) || !double.TryParse(f[4], CultureInfo.InvariantCulture, out var full)
                || !int.TryParse(f[5], CultureInfo.InvariantCulture, out var n))
                throw new InvalidDataException($"{path}, line {i + 1}: expected policy,budget,task_type,score,full_score,n.");
            yield return new EvalRow(f[0], budget, f[2], score, full, n);
        }
    }

    static void WriteCsv(string path, IReadOnlyList<EvalRow> rows)
    {
        var sb = new StringBuilder("policy,budget,task_type,score,full_score,n\n");
        foreach (var r in rows)
            sb.Append(CultureInfo.InvariantCulture, $"{r.Policy},{r.Budget},{r.TaskType},{r.Score:R},{r.FullScore:R},{r.N}\n");
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, sb.ToString());
    }

    /// <summary>One chart of the mean over task types; one per task type beside it when there are several.</summary>
    static IEnumerable<string> Plot(string path, IReadOnlyList<EvalRow> rows)
    {
        var types = rows.Select(r => r.TaskType).Distinct().ToArray();
        var charts = new List<(string Path, string Title, IEnumerable<EvalRow> Rows)>
        {
            (path, types.Length == 1 ? types[0] : $"mean over {types.Length} task types", rows),
        };
        if (types.Length > 1)
            charts.AddRange(types.Select(t => (Path.ChangeExtension(path, null) + "-" + t + ".png", t, rows.Where(r => r.TaskType == t))));
        foreach (var (file, title, subset) in charts)
        {
            var chart = new LineChart { Title = $"score vs budget: {title}", XLabel = "mean budget per KV head (tokens)", YLabel = "score", LogX2 = true };
            foreach (var policy in subset.GroupBy(r => r.Policy))
                chart.Add(policy.Key, policy.GroupBy(r => r.Budget).OrderBy(g => g.Key).Select(g => ((double)g.Key, g.Average(r => r.Score))), dashed: policy.Key == "full");
            var full = Path.GetFullPath(file);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            chart.Save(full);
            yield return file;
        }
    }
}
