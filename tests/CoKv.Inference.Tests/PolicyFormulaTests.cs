using CoKv.Compression;
using CoKv.Profiles;
using static TorchSharp.torch;

namespace CoKv.Tests;

/// <summary>
/// The budget policies against DESIGN.md's formulas, computed here on their own: hand-worked cases with exact budgets,
/// and seeded random ones checked against the real-valued shares.
/// <para>
/// The code's rounding rule (BudgetMath.Apportion): every head gets the window w plus a share s_i of the prefix budget
/// N·(B − w); s_i is rounded down or up, the heads with the largest fractional parts (ties: the lower index) being
/// rounded up, so that the shares add up to N·(B − w) exactly (largest remainder). The prompts here are long enough that
/// no share reaches the prompt, so the water-filling of capped shares never applies.
/// </para>
/// </summary>
public sealed class PolicyFormulaTests
{
    const int LongPrompt = 100_000;

    static BudgetContext Context(int layers, int kvHeads, int budget, int window, IReadOnlyList<Tensor>? scores = null, int prompt = LongPrompt) =>
        new(prompt, layers, kvHeads, budget, window, scores);

    // ---- CoKV: t = the k-th smallest SSV, CC'_i = max(SSV_i − t, 0), b_i = CC'_i / ΣCC' · N(B − w) + w ----

    [Fact]
    public void CoKvSharesAreProportionalToSsvMinusTheKthSmallest()
    {
        // N = 4, k = ⌊0.25·4⌋ = 1, t = −0.1; CC' = [1.0, 0, 0.6, 0.3], ΣCC' = 1.9; N(B − w) = 4·16 = 64.
        // Shares 64/1.9·CC' = [33.684, 0, 20.211, 10.105]: floors [33, 0, 20, 10] leave 1 token, which goes to the largest
        // fractional part (0.684, head 0).
        var scores = HeadScores.Create(2, 2, [0.9, -0.1, 0.5, 0.2]);
        var budgets = new CoKvPolicy(scores, zeroFraction: 0.25).Allocate(Context(2, 2, budget: 20, window: 4));
        Assert.Equal([38, 4, 24, 14], budgets);
    }

    [Fact]
    public void CoKvsHeadsAtOrBelowTheThresholdKeepOnlyTheWindow()
    {
        // N = 6, k = ⌊0.34·6⌋ = 2; sorted −0.2, 0.1, 0.1, 0.3, 0.5, 0.7, so t = 0.1 and both heads at 0.1 tie with it:
        // CC' = [0.2, 0, 0, 0.6, 0.4, 0], ΣCC' = 1.2; N(B − w) = 6·12 = 72, shares [12, 0, 0, 36, 24, 0] (exact).
        var scores = HeadScores.Create(2, 3, [0.3, 0.1, 0.1, 0.7, 0.5, -0.2]);
        var budgets = new CoKvPolicy(scores, zeroFraction: 0.34).Allocate(Context(2, 3, budget: 16, window: 4));
        Assert.Equal([16, 4, 4, 40, 28, 4], budgets);
    }

    [Fact]
    public void CoKvWithEveryHeadScoredAlikeIsUniform()
    {
        var scores = HeadScores.Create(3, 2, Enumerable.Repeat(0.37, 6).ToArray());
        Assert.All(new CoKvPolicy(scores).Allocate(Context(3, 2, budget: 50, window: 8)), b => Assert.Equal(50, b));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void CoKvOnRandomValuesFollowsTheFormula(int seed)
    {
        var random = new Random(seed);
        int layers = random.Next(1, 7), kvHeads = random.Next(1, 5), n = layers * kvHeads;
        if (n < 2) kvHeads = 2;
        n = layers * kvHeads;
        int window = random.Next(2, 9), budget = window + random.Next(1, 200);
        double zeroFraction = new[] { 0.1, 0.25, 0.5, 0.75 }[random.Next(4)];
        var values = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 3 - 1).ToArray();

        var budgets = new CoKvPolicy(HeadScores.Create(layers, kvHeads, values), zeroFraction).Allocate(Context(layers, kvHeads, budget, window));

        int k = Math.Clamp((int)Math.Floor(zeroFraction * n), 1, n);
        double t = values.OrderBy(v => v).ElementAt(k - 1);
        var cc = values.Select(v => Math.Max(v - t, 0)).ToArray();
        double total = (double)n * (budget - window);
        var shares = cc.Select(c => c / cc.Sum() * total).ToArray();
        AssertRoundedShares(budgets, shares, window, (long)n * budget);
        for (int i = 0; i < n; i++)
            if (values[i] <= t) Assert.Equal(window, budgets[i]);
    }

    // ---- PyramidKV: per layer, min = B'/β, max = 2B' − min, b_l = max − l·(max − min)/(L − 1), B' = B − w; plus w ----

    [Theory]
    [InlineData(20, new[] { 242, 196, 151, 105, 60, 14 })]
    [InlineData(2, new[] { 188, 164, 140, 116, 92, 68 })]
    public void PyramidFollowsItsLineWithBeta(double beta, int[] perLayer)
    {
        // B' = 120. β = 20: min 6, max 234, step 45.6: 234, 188.4, 142.8, 97.2, 51.6, 6. The fractional parts of the 3
        // heads of each layer add up to 6 tokens, which go to the largest ones (0.8 in layer 2, 0.6 in layer 4).
        // β = 2: min 60, max 180, step 24: whole numbers.
        var budgets = new PyramidKvPolicy(beta).Allocate(Context(6, 3, budget: 128, window: 8));
        Assert.Equal(perLayer.SelectMany(b => Enumerable.Repeat(b, 3)), budgets);
    }

    [Fact]
    public void PyramidOfOneLayerIsUniform() =>
        Assert.All(new PyramidKvPolicy(5).Allocate(Context(1, 4, budget: 40, window: 8)), b => Assert.Equal(40, b));

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    [InlineData(16)]
    public void PyramidOnRandomShapesFollowsTheLine(int seed)
    {
        var random = new Random(seed);
        int layers = random.Next(2, 11), kvHeads = random.Next(1, 5), window = random.Next(1, 33);
        int budget = window + random.Next(1, 300);
        double beta = 1 + random.NextDouble() * 39;

        var budgets = new PyramidKvPolicy(beta).Allocate(Context(layers, kvHeads, budget, window));

        double extra = budget - window, min = extra / beta, max = 2 * extra - min;
        var shares = Enumerable.Range(0, layers * kvHeads).Select(i => max - (i / kvHeads) * (max - min) / (layers - 1)).ToArray();
        AssertRoundedShares(budgets, shares, window, (long)layers * kvHeads * budget);
    }

    // ---- Ada-SnapKV: per layer, c_h = head h's count among the layer's top H·B' scores; b_h = c_h(1 − α) + αB' + w ----

    static Tensor[] AdaHandScores()
    {
        // Prefix 12. The layer's top 12 of 24 scores: nine of head 0 (1.0 … 0.6) and three of head 1 (0.99, 0.94, 0.89);
        // the 13th (0.05) is well below. Layer 1 swaps the heads.
        float[] strong = [1.0f, 0.95f, 0.9f, 0.85f, 0.8f, 0.75f, 0.7f, 0.65f, 0.6f, 0.011f, 0.021f, 0.031f];
        float[] weak = [0.99f, 0.94f, 0.89f, 0.05f, 0.04f, 0.03f, 0.02f, 0.01f, 0.005f, 0.004f, 0.003f, 0.002f];
        return [tensor(strong.Concat(weak).ToArray()).reshape(2, 12), tensor(weak.Concat(strong).ToArray()).reshape(2, 12)];
    }

    [Theory]
    // B' = 6. α = 0.2: weights 9·0.8 + 1.2 = 8.4 and 3·0.8 + 1.2 = 3.6; floors 8 + 3 leave 1 token for 0.6 (head 1).
    [InlineData(0.2, 10, 6)]
    // α = 0: the counts themselves. α = 1: the floor αB' = 6 for both.
    [InlineData(0.0, 11, 5)]
    [InlineData(1.0, 8, 8)]
    public void AdaCountsTheLayersTopScoresAboveItsFloor(double alpha, int strongHead, int weakHead)
    {
        using var scope = NewDisposeScope();
        var budgets = new AdaSnapKvPolicy(alpha).Allocate(Context(2, 2, budget: 8, window: 2, AdaHandScores(), prompt: 14));
        Assert.Equal([strongHead, weakHead, weakHead, strongHead], budgets);
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    [InlineData(24)]
    [InlineData(25)]
    [InlineData(26)]
    public void AdaOnRandomScoresFollowsTheFormula(int seed)
    {
        using var scope = NewDisposeScope();
        var random = new Random(seed);
        int layers = random.Next(1, 5), kvHeads = random.Next(2, 5), window = random.Next(1, 9), prefix = random.Next(20, 200);
        int budget = window + random.Next(1, prefix + 1);
        double alpha = random.NextDouble();
        // A skew per head, so the counts really differ between heads.
        var rows = Enumerable.Range(0, layers).Select(_ =>
        {
            var skew = Enumerable.Range(0, kvHeads).Select(_ => 0.1 + random.NextDouble() * 3).ToArray();
            return Enumerable.Range(0, kvHeads).Select(h => Enumerable.Range(0, prefix).Select(_ => (float)(random.NextDouble() * skew[h])).ToArray()).ToArray();
        }).ToArray();
        var scores = rows.Select(r => tensor(r.SelectMany(x => x).ToArray()).reshape(kvHeads, prefix)).ToArray();

        var budgets = new AdaSnapKvPolicy(alpha).Allocate(Context(layers, kvHeads, budget, window, scores, prompt: prefix + window));

        int extra = budget - window;
        for (int l = 0; l < layers; l++)
        {
            var counts = new int[kvHeads];
            foreach (var (_, head) in rows[l].SelectMany((r, h) => r.Select(v => (v, h))).OrderByDescending(p => p.v).Take(kvHeads * extra))
                counts[head]++;
            var shares = counts.Select(c => c * (1 - alpha) + alpha * extra).ToArray();
            var layer = budgets.Skip(l * kvHeads).Take(kvHeads).ToArray();
            AssertRoundedShares(layer, shares, window, (long)kvHeads * budget);
            Assert.All(layer, b => Assert.True(b >= window + Math.Floor(alpha * extra), $"{b} is below the floor"));
        }
    }

    // ---- BaKlaVa: share_i = (1 − s)/N + s·imp_i/Σimp (negative importances count as 0), of N(B − w); plus w ----

    [Theory]
    // N(B − w) = 64; importances [3, 1, 0, 0] of Σ 4. s = 1: [48, 16, 0, 0]. s = 0.5: 64·(1/8 + [3/8, 1/8, 0, 0]) = [32, 16, 8, 8].
    [InlineData(1.0, new[] { 52, 20, 4, 4 })]
    [InlineData(0.5, new[] { 36, 20, 12, 12 })]
    [InlineData(0.0, new[] { 20, 20, 20, 20 })]
    public void BaKlaVaIsProportionalToImportanceByItsStrength(double strength, int[] expected)
    {
        var importances = HeadScores.Create(2, 2, [3, 1, 0, -2]);
        Assert.Equal(expected, new BaKlaVaPolicy(importances, strength).Allocate(Context(2, 2, budget: 20, window: 4)));
    }

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(34)]
    [InlineData(35)]
    [InlineData(36)]
    public void BaKlaVaOnRandomImportancesFollowsTheFormula(int seed)
    {
        var random = new Random(seed);
        int layers = random.Next(1, 7), kvHeads = random.Next(1, 5), n = layers * kvHeads;
        int window = random.Next(1, 17), budget = window + random.Next(1, 200);
        double strength = random.NextDouble();
        var importances = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 1.2 - 0.2).ToArray();
        if (importances.All(v => v <= 0)) importances[0] = 1;

        var budgets = new BaKlaVaPolicy(HeadScores.Create(layers, kvHeads, importances), strength).Allocate(Context(layers, kvHeads, budget, window));

        double sum = importances.Sum(v => Math.Max(v, 0));
        var shares = importances.Select(v => n * (double)(budget - window) * ((1 - strength) / n + strength * Math.Max(v, 0) / sum)).ToArray();
        AssertRoundedShares(budgets, shares, window, (long)n * budget);
    }

    /// <summary>
    /// The largest-remainder rounding of real shares: each budget is w + ⌊s⌋ or w + ⌈s⌉, they add up to the total, and no
    /// head rounded down has a larger fractional part than a head rounded up (to 1e-6, for the sums' float error).
    /// </summary>
    static void AssertRoundedShares(IReadOnlyList<int> budgets, IReadOnlyList<double> shares, int window, long total)
    {
        Assert.Equal(shares.Count, budgets.Count);
        Assert.Equal(total, budgets.Sum(b => (long)b));
        double lowestUp = double.PositiveInfinity, highestDown = double.NegativeInfinity;
        for (int i = 0; i < shares.Count; i++)
        {
            double extra = budgets[i] - window, fraction = shares[i] - Math.Floor(shares[i]);
            Assert.True(Math.Abs(extra - shares[i]) < 1 + 1e-6, $"head {i}: budget {budgets[i]} for a share of {shares[i]:F4} beyond the window {window}");
            if (extra > shares[i] + 1e-6) lowestUp = Math.Min(lowestUp, fraction);
            else if (extra < shares[i] - 1e-6) highestDown = Math.Max(highestDown, fraction);
        }
        Assert.True(highestDown <= lowestUp + 1e-6, $"a head with fraction {highestDown:F6} was rounded down while one with {lowestUp:F6} was rounded up");
    }
}
