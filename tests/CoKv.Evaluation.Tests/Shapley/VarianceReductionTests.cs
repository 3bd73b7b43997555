using CoKv.Shapley;
using Xunit.Abstractions;

namespace CoKv.Evaluation.Tests.Shapley;

/// <summary>The stratified design and the cross-fitted additive control variate: same expectation as CoKV's estimator
/// (the exact sliced values), less spread between seeds.</summary>
public class VarianceReductionTests(ITestOutputHelper output)
{
    /// <summary>Not additive: a saturating total with a pairwise synergy, so the control variate cannot explain it all.</summary>
    static Func<IReadOnlySet<int>, double> Game(double[] w) => s =>
        Math.Sqrt(s.Sum(i => w[i])) + (s.Contains(0) && s.Contains(1) ? 0.5 : 0) - (s.Contains(2) && s.Contains(3) ? 0.3 : 0);

    static async Task<double[]> Run(int n, Func<IReadOnlySet<int>, double> game, int m, long seed, CoalitionDesign design, bool cv) =>
        (await SlicedShapleyEstimator.RunAsync(n, new DelegateUtility(game),
            new SlicedShapleyOptions { SamplesPerSize = m, Seed = seed, Design = design, ControlVariate = cv })).Values;

    [Fact]
    public async Task Strata_that_fit_in_M_are_enumerated_and_give_the_exact_values_for_any_seed()
    {
        const int n = 8;
        var game = Game(Games.RandomWeights(n, 3));
        var sizes = CoalitionPlan.DefaultSizes(n); // 1, 2, 3, 4: 8, 28, 56 and 70/2 distinct draws
        var plan = new CoalitionPlan(n, sizes, 56, 1, CoalitionDesign.Stratified);
        Assert.Equal(8 + 28 + 56 + 35, plan.Count);
        Assert.Equal(sizes.Order(), plan.EnumeratedSizes.Order());
        var exact = ExactSlicedShapley.Compute(n, sizes, game);
        foreach (var seed in new long[] { 1, 2 })
        {
            var values = await Run(n, game, 56, seed, CoalitionDesign.Stratified, cv: true);
            for (int i = 0; i < n; i++) Assert.Equal(exact[i], values[i], 12);
        }
    }

    [Fact]
    public void Stratified_rounds_are_disjoint_blocks_so_every_player_joins_a_stratum_equally_often()
    {
        const int n = 16, m = 64;
        var plan = new CoalitionPlan(n, [4, 8], m, 7, CoalitionDesign.Stratified);
        var counts = new Dictionary<int, int[]> { [4] = new int[n], [8] = new int[n] };
        for (int j = 0; j < plan.Count; j++)
            foreach (var i in plan.Coalition(j)) counts[plan.SizeOf(j)][i]++;
        Assert.All(counts[4], c => Assert.Equal(m * 4 / n, c));     // 4 blocks a round, each player in one
        Assert.Equal(m * 8, counts[8].Sum());                       // one half a round: its complement is the other
        // Independent draws are not balanced: the same budget leaves some players with fewer samples.
        var independent = new CoalitionPlan(n, [4], m, 7);
        var free = new int[n];
        for (int j = 0; j < independent.Count; j++) foreach (var i in independent.Coalition(j)) free[i]++;
        Assert.True(free.Max() - free.Min() > 0);
    }

    [Fact]
    public async Task Stratified_with_control_variate_is_unbiased_and_spreads_less_than_independent_draws()
    {
        const int n = 12, m = 64, seeds = 300;
        var game = Game(Games.RandomWeights(n, 5));
        var sizes = CoalitionPlan.DefaultSizes(n); // 2, 3, 5, 6: C(12,2) = 66 > 64, so every stratum is sampled
        Assert.Empty(new CoalitionPlan(n, sizes, m, 1, CoalitionDesign.Stratified).EnumeratedSizes);
        var exact = ExactSlicedShapley.Compute(n, sizes, game);

        async Task<(double Mse, double MaxZ)> Measure(CoalitionDesign design, bool cv)
        {
            var runs = new double[seeds][];
            for (int s = 0; s < seeds; s++) runs[s] = await Run(n, game, m, 1000 + s, design, cv);
            double mse = 0, maxZ = 0;
            for (int i = 0; i < n; i++)
            {
                var x = runs.Select(r => r[i]).ToArray();
                double mean = x.Average(), sd = Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / (seeds - 1));
                mse += x.Sum(v => (v - exact[i]) * (v - exact[i])) / seeds / n;
                maxZ = Math.Max(maxZ, Math.Abs(mean - exact[i]) / (sd / Math.Sqrt(seeds)));
            }
            return (mse, maxZ);
        }
        var plain = await Measure(CoalitionDesign.Independent, cv: false);
        var stratified = await Measure(CoalitionDesign.Stratified, cv: false);
        var both = await Measure(CoalitionDesign.Stratified, cv: true);
        output.WriteLine($"MSE over {seeds} seeds: independent {plain.Mse:G4}, stratified {stratified.Mse:G4}, stratified + control variate {both.Mse:G4}; " +
                         $"largest |mean − exact| / standard error: {plain.MaxZ:F2}, {stratified.MaxZ:F2}, {both.MaxZ:F2}");
        // Unbiased: over 300 seeds every player's mean is within 4.5 standard errors of the exact value.
        Assert.True(stratified.MaxZ < 4.5, $"stratified bias: {stratified.MaxZ} standard errors");
        Assert.True(both.MaxZ < 4.5, $"control variate bias: {both.MaxZ} standard errors");
        // And it pays: the variance-reduced estimator's error is well under the plain one's.
        Assert.True(stratified.Mse < plain.Mse, $"stratified {stratified.Mse} vs independent {plain.Mse}");
        Assert.True(both.Mse < 0.5 * plain.Mse, $"control variate {both.Mse} vs independent {plain.Mse}");
    }

    [Fact]
    public async Task Stratified_shards_merged_with_the_control_variate_equal_the_single_run()
    {
        const int n = 16;
        var game = new DelegateUtility(Game(Games.RandomWeights(n, 9)));
        var options = new SlicedShapleyOptions { SamplesPerSize = 128, Seed = 4, Design = CoalitionDesign.Stratified, ControlVariate = true };
        var reference = await SlicedShapleyEstimator.RunAsync(n, game, options);
        Assert.Equal(120 + 3 * 128, reference.DrawsTotal); // size 2 enumerated: C(16, 2) = 120 draws
        var dir = Path.Combine(Path.GetTempPath(), $"cokv-stratified-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var paths = new List<string>();
            for (int i = 0; i < 3; i++)
            {
                var path = Path.Combine(dir, $"shard{i}.json");
                await SlicedShapleyEstimator.RunAsync(n, game, options with { CheckpointPath = path, Shard = ShardSpec.Create(i, 3) });
                paths.Add(path);
            }
            var merged = SlicedShapleyEstimator.MergeFiles(paths, controlVariate: true);
            Assert.True(merged.Complete);
            Assert.Equal(reference.Values, merged.Values);
            // Without the control variate the same draws give other (plain) values.
            Assert.NotEqual(reference.Values, SlicedShapleyEstimator.MergeFiles(paths).Values);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_checkpoint_of_one_design_is_refused_by_a_run_of_the_other()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cokv-design-{Guid.NewGuid():N}.json");
        try
        {
            var game = new DelegateUtility(Games.Additive(Games.RandomWeights(8, 1)));
            await SlicedShapleyEstimator.RunAsync(8, game, new SlicedShapleyOptions { SamplesPerSize = 4, Seed = 1, CheckpointPath = path });
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => SlicedShapleyEstimator.RunAsync(8, game,
                new SlicedShapleyOptions { SamplesPerSize = 4, Seed = 1, CheckpointPath = path, Design = CoalitionDesign.Stratified }));
            Assert.Contains("design=independent", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
