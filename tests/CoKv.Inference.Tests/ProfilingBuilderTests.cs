using CoKv.Profiles;
using CoKv.Profiling;
using Xunit.Abstractions;

namespace CoKv.Tests;

/// <summary>The profile builders on stories260K with RULER-style samples sized by its tokenizer.</summary>
public sealed class ProfilingBuilderTests(ITestOutputHelper output)
{
    static ProfileBuildRequest Request(string dir, string method = ProfileMethods.Cokv) => new()
    {
        TaskType = "synthetic",
        Data = new ProfileDataSource(SyntheticKind: "niah_single", SyntheticLength: 300, SyntheticCount: 2),
        Method = method,
        SamplesPerSize = 4,
        Utility = ProfileUtilities.LogLikelihood,
        Window = 8,
        Seed = 3,
        CheckpointDirectory = dir,
    };

    [Fact]
    public async Task ResumedBuildEqualsUninterruptedBuild()
    {
        var builder = new ShapleyProfileBuilder(ProfilingFixtures.Stories, new ShapleyBuildOptions { CheckpointEvery = 1 });
        var whole = await builder.BuildAsync(Request(TestPaths.TempDir("profile-whole")), null, default);

        var dir = TestPaths.TempDir("profile-resumed");
        using var stop = new CancellationTokenSource();
        int seen = 0;
        var progress = new Inline(p => { seen = p.Done; if (p.Done == 5) stop.Cancel(); });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => builder.BuildAsync(Request(dir), progress, stop.Token));
        Assert.True(seen >= 5 && seen < 16, $"stopped after {seen} of 16 draws");
        var resumed = await builder.BuildAsync(Request(dir), null, default);

        Assert.Equal(whole.Scores.Values, resumed.Scores.Values);
        Assert.Equal(20, whole.Scores.Count);
        Assert.Equal(2, whole.Provenance.SampleCount);
        Assert.NotNull(whole.Provenance.DatasetSha256);
        Assert.Equal(ProfilingFixtures.Stories.Fingerprint, whole.ModelFingerprint);
    }

    [Fact]
    public async Task TwoSeedsRecordConvergenceAndShardsMergeToTheSingleRun()
    {
        var builder = new ShapleyProfileBuilder(ProfilingFixtures.Stories);
        var request = Request(TestPaths.TempDir("profile-two-seeds")) with { SecondSeed = 4 };
        var single = await builder.BuildAsync(request, null, default);
        Assert.NotNull(single.Provenance.ConvergenceMae);
        Assert.Equal([3L, 4L], single.Parameters.Seeds);
        output.WriteLine($"MAE between seeds {single.Provenance.ConvergenceMae:G4} (1/N = {1.0 / 20:G4})");

        var dir = TestPaths.TempDir("profile-shards");
        foreach (var i in new[] { 0, 1, 2 })
            await builder.RunShardAsync(request with { CheckpointDirectory = dir }, Shapley.ShardSpec.Create(i, 3), null, default);
        var merged = Assert.Single(ShapleyProfileBuilder.MergeDirectories([dir]));
        Assert.Equal(single.Scores.Values, merged.Scores.Values);
        Assert.Equal(single.Provenance.ConvergenceMae, merged.Provenance.ConvergenceMae);
    }

    [Fact]
    public async Task BaKlaVaImportancesAreFiniteAndTheStrengthComesFromTheGrid()
    {
        var options = new BaKlaVaOptions { StrengthGrid = [0.0, 0.5, 1.0], SearchBudgets = [16, 32] };
        var profile = await new BaKlaVaProfiler(ProfilingFixtures.Stories, options)
            .BuildAsync(Request(TestPaths.TempDir("baklava"), ProfileMethods.Baklava), null, default);
        output.WriteLine($"importances {string.Join(" ", profile.Scores.Values.Select(v => v.ToString("F3")))}; {profile.Parameters.Extra!["losses"]}");
        Assert.Equal(20, profile.Scores.Count);
        Assert.All(profile.Scores.Values, v => Assert.True(double.IsFinite(v) && v >= 0 && v <= 2));
        Assert.Contains(double.Parse(profile.Parameters.Extra![BaKlaVaProfiler.StrengthKey], System.Globalization.CultureInfo.InvariantCulture), options.StrengthGrid);
        Assert.Equal(ProfileMethods.Baklava, profile.Method);
    }

    sealed class Inline(Action<ProfileProgress> report) : IProgress<ProfileProgress>
    {
        public void Report(ProfileProgress value) => report(value);
    }
}
