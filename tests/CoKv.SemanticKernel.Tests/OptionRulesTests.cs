using CoKv.Generation;
using CoKv.SemanticKernel.Profiling;
using CoKv.Tests;
using Microsoft.Extensions.AI;

namespace CoKv.SemanticKernel.Tests;

/// <summary>
/// Each limit on a setting is one rule (<see cref="OptionRules"/>): the connector's options, its per-request settings,
/// its profiling options and the engine's own options refuse a bad value with the same words, under the name each
/// surface gives the setting.
/// </summary>
public sealed class OptionRulesTests
{
    /// <summary>One rule and where it is checked: each surface gives the message it produced and the name it used.</summary>
    sealed record Case(string Rule, Func<string, string?> Problem, params (string Name, Func<string> Refuse)[] Surfaces);

    static IEnumerable<Case> Cases() =>
    [
        new("temperature", n => OptionRules.Temperature(n, -1),
            (CoKvSettingKeys.Temperature, () => Setting(CoKvSettingKeys.Temperature, -1.0)),
            ("Temperature", () => Engine(() => new SamplingOptions { Temperature = -1 }.Validate()))),
        new("top-p", n => OptionRules.TopP(n, 1.5),
            (CoKvSettingKeys.TopP, () => Setting(CoKvSettingKeys.TopP, 1.5)),
            ("TopP", () => Engine(() => new SamplingOptions { TopP = 1.5 }.Validate()))),
        new("top-k", n => OptionRules.TopK(n, -1),
            (CoKvSettingKeys.TopK, () => Setting(CoKvSettingKeys.TopK, -1)),
            ("TopK", () => Engine(() => new SamplingOptions { TopK = -1 }.Validate()))),
        new("repetition penalty", n => OptionRules.RepetitionPenalty(n, 0),
            ("RepetitionPenalty", () => Engine(() => new SamplingOptions { RepetitionPenalty = 0 }.Validate()))),
        new("max tokens", n => OptionRules.MaxTokens(n, 0),
            (CoKvSettingKeys.MaxTokens, () => Setting(CoKvSettingKeys.MaxTokens, 0)),
            ("DefaultMaxTokens", () => Option(o => o.DefaultMaxTokens = 0))),
        new("budget", n => OptionRules.Budget(n, 0),
            (CoKvSettingKeys.Budget, () => Setting(CoKvSettingKeys.Budget, 0)),
            ("DefaultBudget", () => Option(o => o.DefaultBudget = 0))),
        new("window", n => OptionRules.Window(n, 0),
            (CoKvSettingKeys.Window, () => Setting(CoKvSettingKeys.Window, 0)),
            ("Window", () => Option(o => o.Window = 0)),
            ("Window", () => Profiling(o => o.Window = 0))),
        new("lookahead", n => OptionRules.Lookahead(n, -1),
            (CoKvSettingKeys.Lookahead, () => Setting(CoKvSettingKeys.Lookahead, -1)),
            ("Lookahead", () => Option(o => o.Lookahead = -1))),
        new("policy name", n => OptionRules.Policy(n, "magic"),
            (CoKvSettingKeys.BudgetPolicy, () => Setting(CoKvSettingKeys.BudgetPolicy, "magic")),
            ("FallbackPolicy", () => Option(o => o.FallbackPolicy = "magic"))),
        new("profile method", n => OptionRules.ProfileMethod(n, "snapkv"),
            ("ProfileMethod", () => Option(o => o.ProfileMethod = "snapkv")),
            ("Method", () => Profiling(o => o.Method = "snapkv"))),
        new("threads", n => OptionRules.Threads(n, 0),
            ("Threads", () => Option(o => o.Threads = 0)),
            ("Threads", () => Engine(() => new LocalModelOptions { Threads = 0 }.Validate()))),
        new("context length", n => OptionRules.ContextLength(n, 0),
            ("ContextLength", () => Option(o => o.ContextLength = 0)),
            ("ContextLength", () => Engine(() => new LocalModelOptions { ContextLength = 0 }.Validate()))),
        new("prefill chunk size", n => OptionRules.PrefillChunkSize(n, 0),
            ("PrefillChunkSize", () => Option(o => o.PrefillChunkSize = 0)),
            ("PrefillChunkSize", () => Engine(() => new LocalModelOptions { PrefillChunkSize = 0 }.Validate()))),
        new("queue length", n => OptionRules.MaxQueuedRequests(n, 0),
            ("MaxQueuedRequests", () => Option(o => o.MaxQueuedRequests = 0)),
            ("MaxQueuedRequests", () => Engine(() => new LocalModelOptions { MaxQueuedRequests = 0 }.Validate()))),
        new("session cache count", n => OptionRules.SessionCacheCount(n, -1),
            ("SessionCacheCount", () => Option(o => o.SessionCacheCount = -1)),
            ("SessionCacheCount", () => Engine(() => new LocalModelOptions { SessionCacheCount = -1 }.Validate()))),
    ];

    [Fact]
    public void Every_surface_refuses_a_bad_value_once_with_the_rules_own_words()
    {
        foreach (var c in Cases())
            foreach (var (name, refuse) in c.Surfaces)
            {
                var expected = c.Problem(name);
                Assert.True(expected is not null, $"{c.Rule}: the rule passes the value the surface refuses");
                Assert.EndsWith(expected, refuse());
            }
    }

    [Fact]
    public void The_defaults_pass_every_rule()
    {
        Assert.Empty(new LocalModelOptions().Problems());
        new SamplingOptions().Validate();
        CoKvRequestSettings.From(new ChatOptions()).Validate();
        var options = new CoKvOptions { ModelPath = TestPaths.TempDir("cokv-rules") };
        Assert.True(new CoKvOptionsValidator().Validate(null, options).Succeeded);
        Assert.True(new CoKvProfilingOptionsValidator().Validate(null, new CoKvProfilingOptions()).Succeeded);
    }

    static string Setting(string key, object value) =>
        Assert.Throws<ArgumentException>(() => CoKvRequestSettings.From(new ChatOptions { AdditionalProperties = new() { [key] = value } })).Message;

    static string Engine(Action validate) => Assert.ThrowsAny<ArgumentException>(validate).Message;

    /// <summary>The one failure valid options get when one setting is made bad.</summary>
    static string Option(Action<CoKvOptions> spoil)
    {
        var options = new CoKvOptions { ModelPath = TestPaths.TempDir("cokv-rules") };
        spoil(options);
        var result = new CoKvOptionsValidator().Validate(null, options);
        return Assert.Single(result.Failures!);
    }

    static string Profiling(Action<CoKvProfilingOptions> spoil)
    {
        var options = new CoKvProfilingOptions();
        spoil(options);
        return Assert.Single(new CoKvProfilingOptionsValidator().Validate(null, options).Failures!);
    }
}
