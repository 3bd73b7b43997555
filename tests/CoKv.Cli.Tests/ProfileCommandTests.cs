using System.Text.RegularExpressions;
using CoKv.Generation;
using CoKv.Profiles;
using CoKv.Tests;

namespace CoKv.Cli.Tests;

public class ProfileCommandTests
{
    static readonly string[] Common =
    [
        "--task-type", "needle", "--synthetic", "default:single-needle", "--length", "256", "--count", "2",
        "--sizes", "4,8", "--samples", "3", "--seed", "5", "--utility", "loglik", "--threads", "1",
    ];

    static string[] Args(params string[] more) => ["profile", "--model", TinyModels.Default, .. Common, .. more];

    [Fact]
    public async Task Two_shards_merged_give_the_profile_of_one_unsharded_run()
    {
        var whole = TestPaths.TempDir("cli-profile-whole");
        var one = (await Cli.Run(Args("--out", whole))).Succeeded();
        var savedAs = Regex.Match(one.Out, @"cokv profile for 'needle' \((\d+) layers x (\d+) KV heads, \d+ samples\) in [\d.]+ s: (.+\.json)");
        Assert.True(savedAs.Success, one.Out);

        var sharded = TestPaths.TempDir("cli-profile-sharded");
        var draws = 0;
        foreach (var shard in new[] { "0/2", "1/2" })
        {
            var run = (await Cli.Run(Args("--shard", shard, "--out", sharded))).Succeeded();
            var done = Regex.Match(run.Out, $@"shard {shard}: (\d+)/(\d+) draws");
            Assert.True(done.Success, run.Out);
            Assert.Equal(done.Groups[1].Value, done.Groups[2].Value);
            draws += int.Parse(done.Groups[1].Value);
        }
        Assert.Equal(2 * 3, draws); // M = 3 draws for each of the two sizes, split between the shards
        Assert.Empty(new ProfileStore(sharded).List()); // shards write checkpoints, not profiles

        var merge = (await Cli.Run("profile", "merge", sharded)).Succeeded();
        var mergedAs = Regex.Match(merge.Out, @"merged 'needle' \(3 draws per size\): (.+\.json)");
        Assert.True(mergedAs.Success, merge.Out);

        var expected = new ProfileStore(whole).Load(savedAs.Groups[3].Value.Trim());
        var merged = new ProfileStore(sharded).Load(mergedAs.Groups[1].Value.Trim());
        using var model = LocalModel.Load(TinyModels.Default);
        Assert.Equal(model.Fingerprint, expected.ModelFingerprint);
        Assert.Equal(expected.ModelFingerprint, merged.ModelFingerprint);
        Assert.Equal(("needle", "cokv"), (merged.TaskType, merged.Method));
        Assert.Equal((model.Config.LayerCount, model.Config.KvHeadCount), (merged.Scores.Layers, merged.Scores.KvHeads));
        Assert.Equal(int.Parse(savedAs.Groups[1].Value) * int.Parse(savedAs.Groups[2].Value), merged.Scores.Count);
        Assert.Equal(expected.Scores.Values, merged.Scores.Values);
        Assert.Equal(expected.Parameters.CoalitionSizes, merged.Parameters.CoalitionSizes);
        // A profile that says nothing would also merge equal: the heads must differ.
        Assert.True(expected.Scores.Values.Distinct().Count() > 1, string.Join(", ", expected.Scores.Values));
        // No --design or --control-variate given: the converged defaults reached the estimator, and both files say so.
        Assert.Equal(("stratified", true), (expected.Parameters.Design, expected.Parameters.ControlVariate));
        Assert.Equal(("stratified", true), (merged.Parameters.Design, merged.Parameters.ControlVariate));
    }

    [Fact]
    public async Task The_old_independent_design_without_a_control_variate_stays_selectable_and_is_recorded()
    {
        var defaults = TestPaths.TempDir("cli-profile-defaults");
        var old = TestPaths.TempDir("cli-profile-independent");
        var stratified = (await Cli.Run(Args("--out", defaults))).Succeeded();
        var independent = (await Cli.Run(Args("--design", "independent", "--control-variate", "false", "--out", old))).Succeeded();
        BudgetProfile Saved(CliRun run, string dir) =>
            new ProfileStore(dir).Load(Regex.Match(run.Out, @"KV heads, \d+ samples\) in [\d.]+ s: (.+\.json)").Groups[1].Value.Trim());
        var a = Saved(stratified, defaults);
        var b = Saved(independent, old);
        Assert.Equal(("independent", false), (b.Parameters.Design, b.Parameters.ControlVariate));
        Assert.Equal(("stratified", true), (a.Parameters.Design, a.Parameters.ControlVariate));
        // Same game, same seed and M: only the draws and the correction differ, so the values do.
        Assert.Equal(a.Parameters.SamplesPerSize, b.Parameters.SamplesPerSize);
        Assert.NotEqual(a.Scores.Values, b.Scores.Values);
    }

    [Fact]
    public async Task Samples_default_to_the_converged_count_and_bad_profile_settings_are_refused_by_name()
    {
        var help = (await Cli.Run("profile", "--help")).Succeeded();
        var samples = Regex.Match(help.Out, @"--samples[^\n]*\[default: (\d+)\]");
        Assert.True(samples.Success, help.Out);
        Assert.Equal(CoKv.Profiling.ProfileBuildRequest.DefaultSamplesPerSize, int.Parse(samples.Groups[1].Value));
        Assert.Matches(@"--design[^\n]*\[default: stratified\]", help.Out);

        var dir = TestPaths.TempDir("cli-profile-bad");
        foreach (var (option, value) in new[] { ("--design", "random"), ("--samples", "0"), ("--utility", "bleu") })
        {
            var args = Args("--out", dir).ToList();
            int at = args.IndexOf(option);
            if (at >= 0) args[at + 1] = value; else args.AddRange([option, value]);
            var bad = await Cli.Run([.. args]);
            Assert.NotEqual(0, bad.ExitCode);
            Assert.Contains(option, bad.Error);
            Assert.Contains(value, bad.Error);
        }
        Assert.Empty(new ProfileStore(dir).List());
    }
}
