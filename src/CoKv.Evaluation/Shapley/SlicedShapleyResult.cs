namespace CoKv.Shapley;

/// <summary>
/// SSV per player, with the draws they came from. <see cref="Complete"/> is false for one shard's share or a
/// stopped run: the values are then estimates from the draws at hand.
/// </summary>
public sealed record SlicedShapleyResult(
    double[] Values,
    int Players,
    IReadOnlyList<int> Sizes,
    int SamplesPerSize,
    long Seed,
    IReadOnlyList<ShapleyDraw> Draws)
{
    /// <summary>Draws of the whole plan (fewer than |H|·M where a stratum is enumerated).</summary>
    public int DrawsTotal { get; init; } = Sizes.Count * SamplesPerSize;
    public bool Complete => Draws.Count == DrawsTotal;
    /// <summary>Utility evaluations the draws cost: two each.</summary>
    public int Evaluations => 2 * Draws.Count;

    /// <summary>The values as per-head scores: player p is head p % kvHeads of layer p / kvHeads, the row-major
    /// order of <see cref="Profiles.HeadScores"/>, which utilities must use when they map players to heads.</summary>
    public Profiles.HeadScores ToHeadScores(int layers, int kvHeads) => Profiles.HeadScores.Create(layers, kvHeads, Values.ToArray());
}
