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
}
