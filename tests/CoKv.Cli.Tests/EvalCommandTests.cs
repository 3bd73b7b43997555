using System.Globalization;
using CoKv.Compression;
using CoKv.Generation;
using CoKv.Profiling;
using CoKv.Tests;

namespace CoKv.Cli.Tests;

public class EvalCommandTests
{
    const string Kind = "default:single-needle";
    static readonly string[] Policies = ["full", "snapkv", "ada", "pyramid", "streaming"];
    static readonly int[] Budgets = [8, 16];

    [Fact]
    public async Task Rows_are_the_policy_evaluators_for_the_same_samples()
    {
        var dir = TestPaths.TempDir("cli-eval");
        var csv = Path.Combine(dir, "eval.csv");
        var run = (await Cli.Run("eval", "--model", TinyModels.Default, "--synthetic", Kind, "--length", "512", "--count", "2",
            "--policies", string.Join(',', Policies), "--budgets", string.Join(',', Budgets), "--threads", "1",
            "--profiles", Path.Combine(dir, "profiles"), "--csv", csv)).Succeeded();

        // The same samples (eval's default seed), scored by the library directly.
        using var local = LocalModel.Load(TinyModels.Default, new LocalModelOptions { Threads = 1 });
        var model = ProfilingModel.From(local);
        var samples = ProfileData.ForEvaluation(new ProfileDataSource(SyntheticKind: Kind, SyntheticLength: 512, SyntheticCount: 2), model.Tokenizer);
        var expected = new PolicyEvaluator(model, new SnapKvOptions { Window = 8 }).Run(samples, Policies, Budgets, (_, _) => null);

        var lines = File.ReadAllLines(csv);
        Assert.Equal("policy,budget,task_type,score,full_score,n", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(expected.Count, rows.Length);
        Assert.Equal(Policies.Length * Budgets.Length, rows.Length);
        foreach (var (row, e) in rows.Zip(expected))
        {
            Assert.Equal(e.Policy, row[0]);
            Assert.Equal(e.Budget, int.Parse(row[1], CultureInfo.InvariantCulture));
            Assert.Equal(e.TaskType, row[2]);
            Assert.Equal(e.Score, double.Parse(row[3], CultureInfo.InvariantCulture));
            Assert.Equal(e.FullScore, double.Parse(row[4], CultureInfo.InvariantCulture));
            Assert.Equal(e.N, int.Parse(row[5], CultureInfo.InvariantCulture));
        }
        // The model answers its own task with the full cache; a small budget must cost some policy its answers,
        // or the comparison above would hold for any scores.
        Assert.All(expected, r => Assert.Equal(1.0, r.FullScore));
        Assert.Contains(expected, r => r.Score < r.FullScore);

        // The printed table: task type, policy, budget, score to three places, % of full, n.
        foreach (var e in expected)
            Assert.Contains(run.Lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is var f && f.Length == 6
                && f[0] == e.TaskType && f[1] == e.Policy && f[2] == e.Budget.ToString(CultureInfo.InvariantCulture)
                && f[3] == e.Score.ToString("F3", CultureInfo.InvariantCulture) && f[5] == e.N.ToString(CultureInfo.InvariantCulture));
        Assert.Contains(run.Lines, l => l.StartsWith($"{samples.Count} samples, {Policies.Length} policies x {Budgets.Length} budgets", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_profile_policy_without_its_profile_is_refused_before_any_work()
    {
        var dir = TestPaths.TempDir("cli-eval-noprofile");
        var run = await Cli.Run("eval", "--model", TinyModels.Default, "--synthetic", Kind, "--length", "256", "--count", "1",
            "--policies", "cokv", "--budgets", "8", "--threads", "1", "--profiles", dir);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("cokv profile --task-type", run.Error);
    }

    [Fact]
    public async Task Dump_kept_lists_each_heads_positions_and_which_heads_kept_each_fact()
    {
        var dir = TestPaths.TempDir("cli-eval-kept");
        var dump = Path.Combine(dir, "kept.jsonl");
        var run = (await Cli.Run("eval", "--model", TinyModels.Default, "--synthetic", "default:variable-tracking", "--length", "512", "--count", "2",
            "--policies", "full,snapkv", "--budgets", "16", "--threads", "1", "--profiles", Path.Combine(dir, "profiles"), "--dump-kept", dump)).Succeeded();

        using var local = LocalModel.Load(TinyModels.Default, new LocalModelOptions { Threads = 1 });
        var model = ProfilingModel.From(local);
        var samples = ProfileData.ForEvaluation(new ProfileDataSource(SyntheticKind: "default:variable-tracking", SyntheticLength: 512, SyntheticCount: 2), model.Tokenizer);
        var lines = File.ReadAllLines(dump).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(samples.Count, lines.Length); // the full cache's lines are left out
        foreach (var (line, sample) in lines.Zip(samples))
        {
            Assert.Equal("snapkv", line.GetProperty("policy").GetString());
            int length = line.GetProperty("prompt_length").GetInt32();
            Assert.Equal(PreparedSample.From(sample, model).Prompt.Length, length);
            var kept = line.GetProperty("kept").EnumerateArray().Select(h => h.EnumerateArray().Select(p => p.GetInt64()).ToArray()).ToArray();
            Assert.Equal(model.Layers * model.KvHeads, kept.Length);
            foreach (var head in kept)
            {
                Assert.Equal(16, head.Length); // uniform SnapKV: B tokens per head
                Assert.Equal(head.Order(), head);
                Assert.Equal(Enumerable.Range(length - 8, 8).Select(p => (long)p), head[^8..]); // the window
            }
            // Every fact of the chain is a word of the prompt; its occurrences name exactly the heads whose kept list holds them.
            var facts = line.GetProperty("facts").EnumerateArray().ToArray();
            Assert.Equal(sample.AllClasses, facts.Select(f => f.GetProperty("text").GetString()));
            foreach (var fact in facts)
            {
                var occurrences = fact.GetProperty("occurrences").EnumerateArray().ToArray();
                Assert.NotEmpty(occurrences);
                foreach (var o in occurrences)
                {
                    long position = o.GetProperty("position").GetInt64();
                    var by = o.GetProperty("kept_by").EnumerateArray().Select(h => h.GetInt32()).ToArray();
                    Assert.Equal(Enumerable.Range(0, kept.Length).Where(h => kept[h].Contains(position)), by);
                    Assert.Contains(fact.GetProperty("text").GetString()!, o.GetProperty("context").GetString());
                }
            }
        }
        // The summary: one row per fact index of the chain (3 or 4 hops).
        Assert.Contains(run.Lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, "snapkv", "16", "1", _, _, "2"]);
    }

    [Fact]
    public async Task From_csv_joins_earlier_runs_and_plots_them_without_a_model()
    {
        var dir = TestPaths.TempDir("cli-eval-fromcsv");
        var a = Path.Combine(dir, "a.csv");
        var b = Path.Combine(dir, "b.csv");
        File.WriteAllText(a, "policy,budget,task_type,score,full_score,n\nfull,16,kv,1,1,4\nsnapkv,16,kv,0.25,1,4\n");
        File.WriteAllText(b, "policy,budget,task_type,score,full_score,n\nfull,16,vt,0.75,0.75,4\nsnapkv,16,vt,0.5,0.75,4\n");
        var joined = Path.Combine(dir, "joined.csv");
        var png = Path.Combine(dir, "plot.png");
        var run = (await Cli.Run("eval", "--from-csv", a, b, "--csv", joined, "--png", png)).Succeeded();
        Assert.Equal(File.ReadAllLines(a).Concat(File.ReadAllLines(b).Skip(1)), File.ReadAllLines(joined));
        Assert.True(new FileInfo(png).Length > 0);
        Assert.True(File.Exists(Path.Combine(dir, "plot-vt.png")));
        Assert.Contains(run.Lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["vt", "snapkv", "16", "0.500", "67", "4"]);

        File.WriteAllText(b, "policy,budget\nfull,16\n");
        var bad = await Cli.Run("eval", "--from-csv", b);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("b.csv", bad.Error);
    }
}
