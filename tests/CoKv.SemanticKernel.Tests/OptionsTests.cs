using CoKv.SemanticKernel.Profiling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CoKv.SemanticKernel.Tests;

public sealed class OptionsTests
{
    [Fact]
    public async Task HostStart_FailsOnBadOptions_NamingEachProblem()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddCoKvChatClient(o =>
        {
            o.ModelPath = "/no/such/model.gguf";
            o.DefaultBudget = 0;
            o.FallbackPolicy = "cokv";
        });
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(e.Failures, f => f.Contains("does not exist"));
        Assert.Contains(e.Failures, f => f.Contains("DefaultBudget"));
        Assert.Contains(e.Failures, f => f.Contains("needs a profile"));
    }

    [Fact]
    public void Options_BindFromConfiguration()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CoKv:ModelPath"] = TestHosts.ModelPath,
            ["CoKv:DefaultBudget"] = "256",
            ["CoKv:FallbackPolicy"] = "pyramid",
            ["CoKv:DefaultTaskType"] = "single-doc-qa",
            ["Profiling:TaskTypes:single-doc-qa"] = "synthetic:doc_qa@512x8",
        }).Build();
        var services = new ServiceCollection();
        services.AddCoKvChatClient(config.GetSection("CoKv"));
        services.AddCoKvProfiling(config.GetSection("Profiling"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<CoKvOptions>>().Get(Options.DefaultName);
        Assert.Equal((256, "pyramid", "single-doc-qa"), (options.DefaultBudget, options.FallbackPolicy, options.DefaultTaskType));
        var profiling = provider.GetRequiredService<IOptions<CoKvProfilingOptions>>().Value;
        var source = profiling.DataSourceFor(profiling.TaskTypes["single-doc-qa"]);
        Assert.Equal(("doc_qa", 512, 8), (source.SyntheticKind, source.SyntheticLength, source.SyntheticCount));
    }

    [Fact]
    public void ProfilingOptions_RefuseUnknownSources()
    {
        var options = new CoKvProfilingOptions();
        options.TaskTypes.Add("a", "missing.jsonl");
        options.TaskTypes.Add("b", "synthetic:nope");
        var result = new CoKvProfilingOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("missing.jsonl"));
        Assert.Contains(result.Failures!, f => f.Contains("nope"));
    }

    [Fact]
    public void ProfilingOptions_RefuseBadEstimatorSettings_OneProblemEach_ByName()
    {
        var options = new CoKvProfilingOptions { SamplesPerSize = 0, Design = "random", Utility = "bleu", CoalitionSizes = [0] };
        var result = new CoKvProfilingOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Equal(4, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.Contains("SamplesPerSize") && f.Contains("not 0"));
        Assert.Contains(result.Failures!, f => f.Contains("Design 'random'") && f.Contains("'stratified'") && f.Contains("'independent'"));
        Assert.Contains(result.Failures!, f => f.Contains("Utility 'bleu'") && f.Contains("'loglik-norm'"));
        Assert.Contains(result.Failures!, f => f.Contains("CoalitionSizes"));
        Assert.True(new CoKvProfilingOptionsValidator().Validate(null, new CoKvProfilingOptions { Design = "Independent", ControlVariate = false, Utility = "loglik-norm" }).Succeeded);
    }

    [Fact]
    public void ProfilingOptions_BindDesignAndControlVariateFromConfiguration()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Profiling:SamplesPerSize"] = "64", ["Profiling:Design"] = "independent", ["Profiling:ControlVariate"] = "false",
        }).Build();
        var services = new ServiceCollection();
        services.AddCoKvProfiling(config.GetSection("Profiling"));
        using var provider = services.BuildServiceProvider();
        var profiling = provider.GetRequiredService<IOptions<CoKvProfilingOptions>>().Value;
        Assert.Equal((64, "independent", false), (profiling.SamplesPerSize, profiling.Design, profiling.ControlVariate));
    }
}
