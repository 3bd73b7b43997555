using CoKv.Compression;
using CoKv.Profiles;

namespace CoKv.Tests;

/// <summary>The one list of policies and scorers: every name and alias resolves to the policy and scorer it stands for.</summary>
public sealed class PolicyRegistryTests
{
    static readonly HeadScores Profile = HeadScores.Create(2, 2, [1, 2, 3, 4]);

    public static TheoryData<string> EveryNameAndAlias()
    {
        var data = new TheoryData<string>();
        foreach (var name in BudgetPolicies.NamesAndAliases) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryNameAndAlias))]
    public void EveryNameAndAliasMakesItsPolicyWithItsDefaultScorer(string name)
    {
        var entry = BudgetPolicies.Find(name);
        Assert.Same(entry, BudgetPolicies.Find($"  {name.ToUpperInvariant()} "));
        var profile = entry.NeedsProfile ? Profile : null;
        Assert.Equal(entry.Name, BudgetPolicies.Create(name, profile).Name);
        var compressor = BudgetPolicies.Compressor(name, meanBudget: 32, profile);
        Assert.Equal((entry.Name, entry.Scorer), (compressor.Policy.Name, compressor.Scorer.Name));
        Assert.Equal(entry.Scorer, TokenScorers.Find(entry.Scorer).Name);
    }

    [Fact]
    public void NamesAndAliasesAreUniqueAndTheCanonicalNamesComeFirst()
    {
        Assert.Equal(BudgetPolicies.NamesAndAliases.Count, BudgetPolicies.NamesAndAliases.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(["full", "streaming", "snapkv", "pyramid", "ada", "cokv", "baklava"], BudgetPolicies.Names);
        Assert.Equal(["cokv", "baklava"], BudgetPolicies.All.Where(p => p.NeedsProfile).Select(p => p.Name));
    }

    [Theory]
    [InlineData("pyramidkv", "pyramid")]
    [InlineData("ada-snapkv", "ada")]
    [InlineData("adasnapkv", "ada")]
    [InlineData("uniform", "snapkv")]
    [InlineData("streamingllm", "streaming")]
    public void AliasesStandForTheirPolicy(string alias, string name) => Assert.Equal(name, BudgetPolicies.Find(alias).Name);

    [Fact]
    public void UnknownNamesAreRefusedNamingTheKnownOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => BudgetPolicies.Find("h2o"));
        Assert.Contains("'h2o'", error.Message);
        Assert.Contains("pyramid", error.Message);
        Assert.False(BudgetPolicies.TryFind(null, out _));
        Assert.Throws<ArgumentException>(() => TokenScorers.Find("h2o"));
    }

    [Fact]
    public void TheParameterReachesThePolicyOrTheScorerThatHasTheKnob()
    {
        Assert.Equal(0.5, Assert.IsType<AdaSnapKvPolicy>(BudgetPolicies.Create("ada", parameter: 0.5)).Floor);
        Assert.Equal(10, Assert.IsType<PyramidKvPolicy>(BudgetPolicies.Compressor("pyramid", 32, parameter: 10).Policy).Beta);
        Assert.Equal(2, Assert.IsType<SinksAndRecentScorer>(BudgetPolicies.Compressor("streaming", 32, parameter: 2).Scorer).SinkTokens);
        Assert.Equal(SinksAndRecentScorer.DefaultSinkTokens, Assert.IsType<SinksAndRecentScorer>(BudgetPolicies.Compressor("streaming", 32).Scorer).SinkTokens);
        // A scorer named beside the policy keeps its own defaults: β is not a number of sinks.
        var paired = BudgetPolicies.Compressor("pyramid", 32, parameter: 10, scorer: TokenScorers.SinksAndRecent);
        Assert.Equal(SinksAndRecentScorer.DefaultSinkTokens, Assert.IsType<SinksAndRecentScorer>(paired.Scorer).SinkTokens);
    }

    [Fact]
    public void TheSnapKvOptionsGiveTheWindowAndThePooling()
    {
        var options = new SnapKvOptions { Window = 5, Kernel = 3, Pooling = PoolingKind.Average };
        var compressor = BudgetPolicies.Compressor("snapkv", 32, options: options);
        Assert.Equal(5, compressor.ObservationWindow);
        Assert.Same(options, Assert.IsType<SnapKvScorer>(compressor.Scorer).Options);
    }
}
