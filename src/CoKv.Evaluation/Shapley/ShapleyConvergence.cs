namespace CoKv.Shapley;

/// <summary>CoKV's convergence test: two estimates from different seeds agree when their mean absolute error is
/// below 1/N.</summary>
public sealed record ConvergenceReport(double MeanAbsoluteError, double Threshold, bool Converged, double RankCorrelation)
{
    public override string ToString() =>
        $"MAE {MeanAbsoluteError:G4} vs 1/N = {Threshold:G4}: {(Converged ? "converged" : "not converged")} (Spearman {RankCorrelation:F3})";
}

public static class ShapleyConvergence
{
    public static ConvergenceReport Compare(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var mae = MeanAbsoluteError(a, b);
        var threshold = 1.0 / a.Count;
        return new ConvergenceReport(mae, threshold, mae < threshold, RankStatistics.Spearman(a, b));
    }

    public static double MeanAbsoluteError(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"Lengths differ: {a.Count} vs {b.Count}.");
        if (a.Count == 0) throw new ArgumentException("Empty estimates.");
        var sum = 0.0;
        for (var i = 0; i < a.Count; i++) sum += Math.Abs(a[i] - b[i]);
        return sum / a.Count;
    }

    /// <summary>Runs the estimator twice, with <paramref name="options"/>'s seed and with <paramref name="secondSeed"/>
    /// (checkpoints, if any, get a ".seed{n}" suffix so the runs do not collide).</summary>
    public static async Task<(SlicedShapleyResult First, SlicedShapleyResult Second, ConvergenceReport Report)> RunTwiceAsync(
        int players, ICoalitionUtility utility, SlicedShapleyOptions options, long secondSeed, CancellationToken ct = default)
    {
        if (secondSeed == options.Seed) throw new ArgumentException("The second run needs a different seed.", nameof(secondSeed));
        string? Suffixed(long seed) => options.CheckpointPath is null ? null : $"{options.CheckpointPath}.seed{seed}";
        var first = await SlicedShapleyEstimator.RunAsync(players, utility, options with { CheckpointPath = Suffixed(options.Seed) }, ct).ConfigureAwait(false);
        var second = await SlicedShapleyEstimator.RunAsync(players, utility, options with { Seed = secondSeed, CheckpointPath = Suffixed(secondSeed) }, ct).ConfigureAwait(false);
        return (first, second, Compare(first.Values, second.Values));
    }
}
