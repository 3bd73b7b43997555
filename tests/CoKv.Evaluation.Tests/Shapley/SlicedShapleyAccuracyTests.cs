using CoKv.Shapley;
using Xunit.Abstractions;

namespace CoKv.Evaluation.Tests.Shapley;

/// <summary>The estimator's ranking of players against exact Shapley values (what budgets depend on).</summary>
public class SlicedShapleyAccuracyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Additive_game_N16_M64_ranks_players_with_spearman_at_least_095()
    {
        const int n = 16, m = 64;
        var w = Games.RandomWeights(n, 11);
        var result = await SlicedShapleyEstimator.RunAsync(n, new DelegateUtility(Games.Additive(w)), new SlicedShapleyOptions { SamplesPerSize = m, Seed = 1 });
        var rho = RankStatistics.Spearman(result.Values, w);
        output.WriteLine($"additive N={n} M={m} sizes=[{string.Join(",", result.Sizes)}]: Spearman {rho:F4}");
        Assert.True(rho >= 0.95, $"Spearman {rho}");
    }

    [Theory]
    [InlineData(21L)]
    [InlineData(22L)]
    [InlineData(23L)]
    public async Task Weighted_voting_N12_M200_ranks_players_with_spearman_at_least_095(long gameSeed)
    {
        const int n = 12, m = 200;
        var weights = Games.RandomIntWeights(n, gameSeed, 20);
        var quota = weights.Sum() / 2 + 1;
        var game = Games.WeightedVoting(weights, quota);
        var exact = ExactShapley.Compute(n, game);
        var result = await SlicedShapleyEstimator.RunAsync(n, new DelegateUtility(game), new SlicedShapleyOptions { SamplesPerSize = m, Seed = 5 });
        var rho = RankStatistics.Spearman(result.Values, exact);
        output.WriteLine($"voting N={n} M={m} weights=[{string.Join(",", weights)}] quota={quota}: Spearman {rho:F4}");
        Assert.True(rho >= 0.95, $"Spearman {rho}");
    }

    [Fact]
    public async Task Convergence_report_compares_two_seeds_against_one_over_N()
    {
        const int n = 16;
        var w = Games.RandomWeights(n, 11).Select(x => x / n).ToArray();
        var (a, b, report) = await ShapleyConvergence.RunTwiceAsync(n, new DelegateUtility(Games.Additive(w)),
            new SlicedShapleyOptions { SamplesPerSize = 64, Seed = 1 }, secondSeed: 2);
        output.WriteLine($"additive N={n} M=64, seeds 1 and 2: {report}");
        Assert.Equal(1.0 / n, report.Threshold);
        Assert.Equal(ShapleyConvergence.MeanAbsoluteError(a.Values, b.Values), report.MeanAbsoluteError);
        Assert.True(report.Converged);
    }

    [Fact]
    public void Default_sizes_follow_N_over_8_steps()
    {
        Assert.Equal([4, 8, 12, 16], CoalitionPlan.DefaultSizes(32));
        Assert.Equal([2, 4, 6, 8], CoalitionPlan.DefaultSizes(16));
        // 12/8 = 1.5 → 2, 36/8 = 4.5 → 5 (half away from zero).
        Assert.Equal([2, 3, 5, 6], CoalitionPlan.DefaultSizes(12));
        Assert.Equal([1], CoalitionPlan.DefaultSizes(2));
        Assert.Equal([1], CoalitionPlan.DefaultSizes(1));
    }

    [Fact]
    public void Player_without_samples_in_a_stratum_contributes_zero_there()
    {
        // N = 4, H = {1}: one draw S = {p}; only p gets a sample (N − 1 = 3 is not in H).
        var draw = new ShapleyDraw(0, [2], 0.9, 0.4);
        var ssv = SlicedShapleyEstimator.Estimate(4, [1], [draw]);
        Assert.Equal([0, 0, 0.5, 0], ssv.Select(v => Math.Round(v, 12)).ToArray());
    }

    [Fact]
    public void Complement_samples_land_in_stratum_N_minus_s()
    {
        // N = 4, H = {1, 3}: S = {0}, CC = 0.25 → stratum 1 for player 0; −0.25 → stratum 3 for players 1..3.
        var ssv = SlicedShapleyEstimator.Estimate(4, [1, 3], [new ShapleyDraw(0, [0], 0.5, 0.25)]);
        Assert.Equal([0.25, -0.25, -0.25, -0.25], ssv);
    }
}
