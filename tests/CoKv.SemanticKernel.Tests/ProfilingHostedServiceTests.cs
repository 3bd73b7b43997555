using CoKv.Profiles;
using CoKv.Profiling;
using CoKv.SemanticKernel.Engine;
using CoKv.SemanticKernel.Profiling;
using CoKv.Tests;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace CoKv.SemanticKernel.Tests;

[Collection(TorchCollection.Name)]
public sealed class ProfilingHostedServiceTests
{
    const string TaskType = "single-doc-qa";

    static IHost Build(string dir, bool holdAtHalf = false) => TestHosts.Build(profileDirectory: dir, services: s =>
    {
        s.AddSingleton<IProfileBuilder>(sp => new ShapleyLogLikProfileBuilder(sp.GetRequiredService<CoKvModelHost>()) { HoldAtHalf = holdAtHalf });
        s.AddCoKvProfiling(o =>
        {
            o.TaskTypes.Add(TaskType, "synthetic:niah_single");
            o.SamplesPerSize = 6;
            o.Seed = 7;
        });
    });

    static async Task<ProfileBuildState> WaitFor(IProfileStatus status, Func<ProfileBuildState, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (status.Get(TaskType) is { } s && done(s)) return s;
            await Task.Delay(10);
        }
        throw new TimeoutException($"Profiling state: {status.Get(TaskType)}");
    }

    [Fact]
    public async Task StoppedHalfwayAndRestarted_ReachesTheSameProfileAsAnUninterruptedRun()
    {
        // Uninterrupted.
        var straightDir = TestPaths.TempDir("cokv-sk-straight");
        BudgetProfile straight;
        using (var host = Build(straightDir))
        {
            await host.StartAsync();
            var status = host.Services.GetRequiredService<IProfileStatus>();
            var ready = await WaitFor(status, s => s.Stage is ProfileBuildStage.Ready or ProfileBuildStage.Failed, TimeSpan.FromMinutes(2));
            Assert.True(ready.Stage == ProfileBuildStage.Ready, ready.ToString());
            var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            Assert.Equal(HealthStatus.Healthy, health.Status);
            await host.StopAsync();
            straight = new ProfileStore(straightDir).Load(ready.ProfilePath!);
        }

        // Stopped halfway...
        var dir = TestPaths.TempDir("cokv-sk-resumed");
        int total, doneWhenStopped;
        using (var host = Build(dir, holdAtHalf: true))
        {
            await host.StartAsync();
            var status = host.Services.GetRequiredService<IProfileStatus>();
            // The builder holds at half its draws until the host stops it.
            await ((ShapleyLogLikProfileBuilder)host.Services.GetRequiredService<IProfileBuilder>()).Halfway.WaitAsync(TimeSpan.FromMinutes(2));
            var half = await WaitFor(status, s => s.Stage == ProfileBuildStage.Building && s.Total > 0 && s.Done >= s.Total / 2, TimeSpan.FromMinutes(2));
            total = half.Total;
            // Meanwhile the chat client answers, with the fallback policy.
            var answer = await host.Services.GetRequiredService<IChatClient>().GetResponseAsync(TestHosts.Story,
                new ChatOptions { MaxOutputTokens = 2, AdditionalProperties = new() { ["task_type"] = TaskType } });
            Assert.Equal("fallback", answer.AdditionalProperties!["profile_reason"]);
            var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            Assert.Equal(HealthStatus.Degraded, health.Status);
            await host.StopAsync();
            var stopped = status.Get(TaskType)!;
            Assert.Equal(ProfileBuildStage.Stopped, stopped.Stage);
            Assert.True(stopped.Done < stopped.Total, stopped.ToString());
        }
        var checkpoints = Directory.GetFiles(Path.Combine(dir, "checkpoints"), "ssv.json", SearchOption.AllDirectories);
        Assert.Single(checkpoints);
        doneWhenStopped = CoKv.Shapley.ShapleyCheckpoint.Load(checkpoints[0]).Draws.Length;
        Assert.InRange(doneWhenStopped, total / 2, total - 1);
        Assert.Empty(new ProfileStore(dir).List());

        // ...and restarted.
        using (var host = Build(dir))
        {
            await host.StartAsync();
            var status = host.Services.GetRequiredService<IProfileStatus>();
            var ready = await WaitFor(status, s => s.Stage is ProfileBuildStage.Ready or ProfileBuildStage.Failed, TimeSpan.FromMinutes(2));
            Assert.True(ready.Stage == ProfileBuildStage.Ready, ready.ToString());
            var builder = (ShapleyLogLikProfileBuilder)host.Services.GetRequiredService<IProfileBuilder>();
            // Only the draws the first run had not finished, two utilities each (U(S) and U(N∖S)).
            Assert.Equal(2 * (total - doneWhenStopped), builder.Evaluations);
            await host.StopAsync();

            var resumed = new ProfileStore(dir).Load(ready.ProfilePath!);
            Assert.Equal(straight.Scores.Values, resumed.Scores.Values);
            Assert.Equal(straight.ModelFingerprint, resumed.ModelFingerprint);
            Assert.False(Directory.Exists(Path.GetDirectoryName(checkpoints[0])), "the finished build's checkpoints are removed");

            // The profile now serves requests of its task type.
            var answer = await host.Services.GetRequiredService<IChatClient>().GetResponseAsync(TestHosts.Story,
                new ChatOptions { MaxOutputTokens = 2, AdditionalProperties = new() { ["task_type"] = TaskType } });
            Assert.Equal("explicit", answer.AdditionalProperties!["profile_reason"]);
            Assert.Equal("cokv", answer.AdditionalProperties["policy"]);
        }
    }

    [Fact]
    public async Task ExistingProfile_IsNotRebuilt()
    {
        var dir = TestPaths.TempDir("cokv-sk-existing");
        using var host = Build(dir);
        var model = await host.Services.GetRequiredService<CoKvModelHost>().GetModelAsync(CancellationToken.None);
        new ProfileStore(dir).Save(new BudgetProfile
        {
            ModelFingerprint = model.Fingerprint, TaskType = TaskType, Method = "cokv",
            Scores = HeadScores.Create(model.Config.LayerCount, model.Config.KvHeadCount, new double[model.Config.LayerCount * model.Config.KvHeadCount]),
        });

        await host.StartAsync();
        var ready = await WaitFor(host.Services.GetRequiredService<IProfileStatus>(), s => s.Stage != ProfileBuildStage.Pending, TimeSpan.FromSeconds(30));
        await host.StopAsync();

        Assert.Equal(ProfileBuildStage.Ready, ready.Stage);
        Assert.Equal(0, ((ShapleyLogLikProfileBuilder)host.Services.GetRequiredService<IProfileBuilder>()).Evaluations);
    }

    [Fact]
    public async Task DefaultBuilder_TheEngines_BuildsASyntheticProfile()
    {
        var profile = await BuildSyntheticProfile("cokv-sk-default-builder", _ => { },
            host => Assert.IsType<HostedModelProfileBuilder>(host.Services.GetRequiredService<IProfileBuilder>()));
        Assert.Equal(20, profile.Scores.Count);
        // Design and control variate were left to the defaults: the converged ones reached the estimator.
        Assert.Equal(("stratified", true), (profile.Parameters.Design, profile.Parameters.ControlVariate));
    }

    [Fact]
    public async Task DefaultBuilder_KeepsTheOldIndependentDesignSelectable()
    {
        var profile = await BuildSyntheticProfile("cokv-sk-independent", o =>
        {
            o.Design = "Independent";
            o.ControlVariate = false;
        });
        Assert.Equal(("independent", false, 1), (profile.Parameters.Design, profile.Parameters.ControlVariate, profile.Parameters.SamplesPerSize));
    }

    /// <summary>The hosted service's own builder on a two-document synthetic task, one draw per size; the stored profile.</summary>
    static async Task<BudgetProfile> BuildSyntheticProfile(string name, Action<CoKvProfilingOptions> configure, Action<IHost>? check = null)
    {
        var dir = TestPaths.TempDir(name);
        using var host = TestHosts.Build(profileDirectory: dir, services: s => s.AddCoKvProfiling(o =>
        {
            o.TaskTypes.Add("synthetic", "synthetic:niah_single@300x2");
            o.CoalitionSizes = [5, 10];
            o.SamplesPerSize = 1;
            configure(o);
        }));
        check?.Invoke(host);
        await host.StartAsync();
        var status = host.Services.GetRequiredService<IProfileStatus>();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (status.Get("synthetic")!.Stage is ProfileBuildStage.Pending or ProfileBuildStage.Building && DateTime.UtcNow < deadline) await Task.Delay(20);
        await host.StopAsync();

        var state = status.Get("synthetic")!;
        Assert.True(state.Stage == ProfileBuildStage.Ready, state.ToString());
        return new ProfileStore(dir).Load(state.ProfilePath!);
    }

    [Fact]
    public void Defaults_AreTheConvergedSettingsTheCliAndTheEngineUse()
    {
        var options = new CoKvProfilingOptions();
        var request = new ProfileBuildRequest { TaskType = "t", Data = new ProfileDataSource(SyntheticKind: "k"), CheckpointDirectory = "c" };
        Assert.Equal(request.SamplesPerSize, options.SamplesPerSize);
        Assert.Equal(CoKv.Shapley.ShapleyCheckpoint.DesignName(request.Design), options.Design);
        Assert.Equal(request.ControlVariate, options.ControlVariate);
        Assert.Equal(ProfileBuildRequest.DefaultSamplesPerSize, request.SamplesPerSize);
    }
}
