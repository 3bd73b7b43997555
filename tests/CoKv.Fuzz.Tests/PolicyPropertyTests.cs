using CoKv.Compression;
using CoKv.Profiles;

namespace CoKv.Fuzz.Tests;

/// <summary>
/// Properties every budget policy keeps for any finite scores, extremes included (±1e308, denormals, ties, all
/// negative): budgets are at least the window w (hence ≥ 0), at most the prompt T, and add up to N·B exactly (for
/// T ≥ B ≥ w, where the rules can be met). NaN and ±∞ are refused with an error that says so.
/// </summary>
public sealed class PolicyPropertyTests
{
    static readonly double[] Extremes =
    [
        0, -0.0, 1, -1, 1e308, -1e308, double.MaxValue, double.MinValue, double.Epsilon, -double.Epsilon, 1e-300, -1e-300,
        5e-324, 1e300, 0.5, 1e-9, 123456789.0,
    ];

    static double[] RandomScores(Random random, int n)
    {
        int style = random.Next(4);
        return Enumerable.Range(0, n).Select(_ => style switch
        {
            0 => Extremes[random.Next(Extremes.Length)],
            1 => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-320, 309)),
            2 => random.Next(3) - 1.0, // many ties
            _ => random.NextDouble() < 0.5 ? Extremes[random.Next(Extremes.Length)] : random.NextDouble(),
        }).Select(v => double.IsFinite(v) ? v : 0).ToArray();
    }

    static IEnumerable<IBudgetPolicy> Policies(HeadScores scores, Random random)
    {
        yield return new CoKvPolicy(scores, new[] { 0.0, 0.25, 0.5, 0.9 }[random.Next(4)]);
        yield return new BaKlaVaPolicy(scores, random.NextDouble());
        yield return new BaKlaVaPolicy(scores, 1.0);
        yield return new PyramidKvPolicy(new[] { 1.0, 2.0, 20.0, 1e6 }[random.Next(4)]);
        yield return new SnapKvPolicy();
        yield return new StreamingLlmPolicy();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Budgets_are_at_least_the_window_at_most_the_prompt_and_add_up_to_N_times_B(int seed)
    {
        var random = new Random(seed);
        for (int trial = 0; trial < 500; trial++)
        {
            int layers = random.Next(1, 33), kvHeads = random.Next(1, 9);
            int window = random.Next(0, 64), budget = window + random.Next(0, 2048);
            int prompt = budget + random.Next(0, random.Next(2) == 0 ? 16 : 100_000);
            var scores = HeadScores.Create(layers, kvHeads, RandomScores(random, layers * kvHeads));
            var context = new BudgetContext(prompt, layers, kvHeads, budget, window);
            foreach (var policy in Policies(scores, random))
            {
                var budgets = policy.Allocate(context);
                var what = $"{policy.Name}, trial {trial}: N = {context.Players}, B = {budget}, w = {window}, T = {prompt}, scores [{string.Join(", ", scores.Values.Take(8))}…]";
                Assert.True(budgets.Length == context.Players, what);
                Assert.True(budgets.All(b => b >= window && b <= prompt), $"{what}: budgets [{string.Join(", ", budgets.Take(16))}…]");
                Assert.True(budgets.Sum(b => (long)b) == (long)context.Players * budget, $"{what}: sum {budgets.Sum(b => (long)b)}");
            }
        }
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void Scores_that_are_not_finite_are_refused(double bad, string shown)
    {
        // HeadScores.Create refuses them; a HeadScores made directly can still carry them to a policy.
        var scores = new HeadScores(2, 2, [0.1, bad, 0.3, 0.4]);
        var context = new BudgetContext(4096, 2, 2, 64, 8);
        foreach (IBudgetPolicy policy in new IBudgetPolicy[] { new CoKvPolicy(scores), new BaKlaVaPolicy(scores) })
        {
            var e = Assert.Throws<ArgumentException>(() => policy.Allocate(context));
            Assert.Contains($"1 is {shown}", e.Message);
            Assert.Contains("finite", e.Message);
        }
        Assert.Throws<ArgumentException>(() => BudgetMath.Apportion([1, bad], 10, 10));
    }

    [Fact]
    public void Apportion_of_extreme_weights_keeps_the_total_and_the_cap()
    {
        var random = new Random(11);
        for (int trial = 0; trial < 2000; trial++)
        {
            var weights = RandomScores(random, random.Next(1, 40));
            long total = random.Next(0, 100_000);
            int cap = random.Next(1, 10_000);
            var shares = BudgetMath.Apportion(weights, total, cap);
            Assert.All(shares, s => Assert.InRange(s, 0, cap));
            Assert.Equal(Math.Min(total, (long)cap * weights.Length), shares.Sum(s => (long)s));
        }
    }
}
