using CoKv.Compression;
using CoKv.Profiles;
using static TorchSharp.torch;

namespace CoKv.Tests;

public sealed class PolicyBudgetTests
{
    const int Layers = 6, KvHeads = 3, Window = 8, Prompt = 4000;

    static BudgetContext Context(int budget, bool scores = false)
    {
        Tensor[]? tokenScores = null;
        if (scores)
        {
            manual_seed(3);
            // Skewed: head 0 of each layer gets much larger scores than the others.
            tokenScores = Enumerable.Range(0, Layers).Select(_ => rand(KvHeads, Prompt - Window) * tensor(new float[] { 5, 1, 0.2f }).unsqueeze(1)).ToArray();
        }
        return new BudgetContext(Prompt, Layers, KvHeads, budget, Window, tokenScores);
    }

    static HeadScores RandomScores(int seed)
    {
        var random = new Random(seed);
        return HeadScores.Create(Layers, KvHeads, Enumerable.Range(0, Layers * KvHeads).Select(_ => random.NextDouble() * 2 - 0.5).ToArray());
    }

    public static TheoryData<string, int> PoliciesAndBudgets()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in new[] { "streaming", "snapkv", "pyramid", "ada", "cokv", "baklava" })
            foreach (int b in new[] { 16, 64, 128, 1000 }) data.Add(name, b);
        return data;
    }

    [Theory]
    [MemberData(nameof(PoliciesAndBudgets))]
    public void BudgetsAddUpToNTimesB(string name, int budget)
    {
        var policy = BudgetPolicies.Create(name, RandomScores(1));
        var budgets = policy.Allocate(Context(budget, policy.NeedsTokenScores));
        Assert.Equal(Layers * KvHeads, budgets.Length);
        Assert.Equal((long)Layers * KvHeads * budget, budgets.Sum(b => (long)b));
        Assert.All(budgets, b => Assert.InRange(b, Window, Prompt));
    }

    [Fact]
    public void FullCacheKeepsThePrompt() =>
        Assert.All(new FullCachePolicy().Allocate(Context(64)), b => Assert.Equal(Prompt, b));

    [Fact]
    public void AdaKeepsItsFloorAndFollowsTheScores()
    {
        const int budget = 128;
        var budgets = new AdaSnapKvPolicy(0.2).Allocate(Context(budget, scores: true));
        int floor = (int)Math.Floor(0.2 * (budget - Window)) + Window;
        Assert.All(budgets, b => Assert.True(b >= floor, $"{b} is below the floor {floor}"));
        for (int l = 0; l < Layers; l++)
        {
            Assert.True(budgets[l * KvHeads] > budgets[l * KvHeads + 2], "the high-scoring head should get more");
            Assert.Equal(KvHeads * budget, budgets.Skip(l * KvHeads).Take(KvHeads).Sum()); // Ada allocates within a layer
        }
    }

    [Fact]
    public void CoKvsLowestHeadsKeepOnlyTheWindowAndTheRestFollowTheirValues()
    {
        var scores = RandomScores(2);
        var policy = new CoKvPolicy(scores, zeroFraction: 0.25);
        var budgets = policy.Allocate(Context(64));
        int k = policy.ZeroBudgetHeads(Layers * KvHeads);
        Assert.Equal(4, k);
        var lowest = Enumerable.Range(0, scores.Count).OrderBy(i => scores.Values[i]).Take(k).ToArray();
        Assert.All(lowest, i => Assert.Equal(Window, budgets[i]));
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores.Values[i]).Skip(k).Select(i => budgets[i]).ToArray();
        Assert.Equal(order.Order(), order); // higher value, no smaller budget
    }

    [Fact]
    public void CoKvsZeroBudgetHeadsKeepExactlyTheWindowInTheCache()
    {
        using var decoder = CacheTestModels.Create();
        var prompt = CacheTestModels.Prompt(60, seed: 21);
        using var session = new Generation.InferenceSession(decoder, 80, observationWindow: Window);
        session.Prefill(prompt, chunkSize: 16).Dispose();
        var scores = HeadScores.Create(2, 2, [0.9, -0.1, 0.5, 0.2]); // N = 4, k = 1: head (0, 1) keeps the window
        using var cache = (Cache.HeadBudgetedKvCache)HeadBudgetCompressor.WithSnapKv(new CoKvPolicy(scores), 20).Compress((Cache.DenseKvCache)session.Cache).Cache;
        Assert.Equal(Enumerable.Range(52, Window).Select(p => (long)p), cache.KeptPositions(0, 1));
        Assert.Equal(4 * 20, Enumerable.Range(0, 4).Sum(i => (int)cache.TokenCount(i / 2, i % 2)));
    }

    [Fact]
    public void PyramidDescendsAcrossLayers()
    {
        var budgets = new PyramidKvPolicy().Allocate(Context(128));
        var perLayer = Enumerable.Range(0, Layers).Select(l => budgets[l * KvHeads]).ToArray();
        Assert.Equal(perLayer.OrderDescending(), perLayer);
        Assert.True(perLayer[0] > 2 * perLayer[^1]);
    }

    [Fact]
    public void BaKlaVaStrengthZeroIsUniform() =>
        Assert.All(new BaKlaVaPolicy(RandomScores(3), strength: 0).Allocate(Context(100)), b => Assert.Equal(100, b));

    [Fact]
    public void BudgetsClampToThePromptAndTheExcessGoesToOthers()
    {
        var scores = HeadScores.Create(Layers, KvHeads, Enumerable.Range(0, Layers * KvHeads).Select(i => i == 5 ? 100.0 : 1.0).ToArray());
        var context = new BudgetContext(200, Layers, KvHeads, 100, Window);
        var budgets = new CoKvPolicy(scores, zeroFraction: 0.05).Allocate(context);
        Assert.Equal(200, budgets[5]);
        Assert.Equal(Layers * KvHeads * 100, budgets.Sum());
    }

    [Fact]
    public void CoalitionsKeepEverythingOrTheWindow()
    {
        var policy = FixedBudgetsPolicy.Coalition(Layers, KvHeads, [0, 7]);
        var budgets = policy.Allocate(Context(64)).Select(b => Math.Clamp(b, Window, Prompt)).ToArray();
        Assert.Equal(Prompt, budgets[0]);
        Assert.Equal(Prompt, budgets[7]);
        Assert.Equal(Layers * KvHeads - 2, budgets.Count(b => b == Window));
    }

    [Theory]
    [InlineData("cokv")]
    [InlineData("baklava")]
    public void ProfilePoliciesRefuseWithoutAProfile(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => BudgetPolicies.Create(name));
        Assert.Contains("profile", error.Message);
        Assert.Throws<ArgumentException>(() => BudgetPolicies.Create("h2o"));
    }

    [Fact]
    public void ProfilesOfAnotherShapeAreRefused() =>
        Assert.Throws<ArgumentException>(() => new CoKvPolicy(HeadScores.Create(2, 2, [1, 2, 3, 4])).Allocate(Context(64)));
}
