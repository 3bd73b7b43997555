using CoKv.Compression;
using CoKv.Profiles;
using CoKv.SemanticKernel.Engine;
using CoKv.SemanticKernel.Selection;
using CoKv.Tests;
using Microsoft.Extensions.AI;

namespace CoKv.SemanticKernel.Tests;

/// <summary>The connector reads the one policy registry: every registered name and alias is accepted end to end.</summary>
public sealed class PolicyNamesTests
{
    public static TheoryData<string> EveryNameAndAlias()
    {
        var data = new TheoryData<string>();
        foreach (var name in BudgetPolicies.NamesAndAliases) data.Add(name);
        return data;
    }

    [Fact]
    public void TheRegistryListsTheAliasesTheConnectorOnceRefused() =>
        Assert.Superset(new HashSet<string> { "pyramidkv", "ada-snapkv", "uniform", "streamingllm" }, BudgetPolicies.NamesAndAliases.ToHashSet());

    [Theory]
    [MemberData(nameof(EveryNameAndAlias))]
    public void RequestSettingsAcceptEveryName(string name)
    {
        var written = $" {name.ToUpperInvariant()} ";
        var settings = CoKvRequestSettings.From(new ChatOptions { AdditionalProperties = new() { [CoKvSettingKeys.BudgetPolicy] = written } });
        Assert.Equal(written, settings.BudgetPolicy);
        Assert.True(BudgetPolicies.TryFind(name, out var entry));
        Assert.Equal(entry.Name, BudgetPolicyNames.Normalize(written));
        Assert.Equal(entry.NeedsProfile, BudgetPolicyNames.NeedsProfile(name));
    }

    [Theory]
    [MemberData(nameof(EveryNameAndAlias))]
    public void OptionsAcceptEveryNameAsFallbackUnlessItNeedsAProfile(string name)
    {
        var options = new CoKvOptions { ModelPath = TestPaths.TempDir("cokv-sk-names"), FallbackPolicy = name };
        var result = new CoKvOptionsValidator().Validate(null, options);
        Assert.True(BudgetPolicies.TryFind(name, out var entry));
        if (entry.NeedsProfile)
        {
            Assert.Contains(result.Failures!, f => f.Contains("needs a profile"));
            Assert.DoesNotContain(result.Failures!, f => f.Contains("is not one of"));
        }
        else Assert.True(result.Succeeded, string.Join("; ", result.Failures ?? []));
    }

    [Theory]
    [MemberData(nameof(EveryNameAndAlias))]
    public void TheSelectorAndTheFactoryTurnEveryNameIntoItsPolicyAndScorer(string name)
    {
        Assert.True(BudgetPolicies.TryFind(name, out var entry));
        var options = new CoKvOptions { ModelPath = "unused", ProfileDirectory = TestPaths.TempDir("cokv-sk-names"), DefaultBudget = 64 };
        BudgetSelection selection = entry.NeedsProfile
            ? new() { Policy = entry.Name, Budget = 64, Window = 8, Reason = ProfileReason.Explicit, Profile = new BudgetProfile { ModelFingerprint = "fp", TaskType = "t", Method = entry.Name, Scores = HeadScores.Create(2, 2, [1, 2, 3, 4]) } }
            : new BudgetProfileSelector(options, null).Select([new(ChatRole.User, "hi")], new CoKvRequestSettings { BudgetPolicy = name }, "fp");
        Assert.Equal(entry.Name, selection.Policy);

        var compressor = new CacheCompressorFactory().Create(selection, reserveTokens: 4);
        if (entry.Name == BudgetPolicies.Full)
        {
            Assert.Null(compressor);
            return;
        }
        var budgeted = Assert.IsType<HeadBudgetCompressor>(compressor);
        Assert.Equal((entry.Name, entry.Scorer, 64, 8), (budgeted.Policy.Name, budgeted.Scorer.Name, budgeted.MeanBudget, budgeted.Window));
    }
}
