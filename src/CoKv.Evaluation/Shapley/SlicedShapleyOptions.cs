namespace CoKv.Shapley;

public sealed record SlicedShapleyOptions
{
    /// <summary>The strata H; null = <see cref="CoalitionPlan.DefaultSizes"/> (N/8, N/4, 3N/8, N/2).</summary>
    public IReadOnlyList<int>? CoalitionSizes { get; init; }

    /// <summary>M: draws per coalition size. Cost is 2·|H|·M utility evaluations.</summary>
    public int SamplesPerSize { get; init; } = 32;

    public long Seed { get; init; }

    /// <summary>How coalitions are drawn (<see cref="CoalitionDesign"/>); part of the draw sequence, so of checkpoints.</summary>
    public CoalitionDesign Design { get; init; } = CoalitionDesign.Independent;

    /// <summary>Correct each sampled stratum by a cross-fitted additive model of the game (<see cref="AdditiveControl"/>):
    /// same draws, same expectation, less variance when the game is close to additive.</summary>
    public bool ControlVariate { get; init; }

    /// <summary>Where to keep the checkpoint (resumed from when it exists); null = no checkpoint.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>K: write the checkpoint after every K completed draws (and when stopped).</summary>
    public int CheckpointEvery { get; init; } = 4;

    public ShardSpec Shard { get; init; } = ShardSpec.Single;

    /// <summary>Draws evaluated concurrently. Results do not depend on it.</summary>
    public int MaxParallelism { get; init; } = 1;

    /// <summary>Names the utility (metric, dataset hash, model...); stored in the checkpoint so a resume or merge
    /// never mixes draws of different games.</summary>
    public string Tag { get; init; } = "";

    public IProgress<ShapleyProgress>? Progress { get; init; }
}
