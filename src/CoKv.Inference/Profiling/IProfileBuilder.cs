using CoKv.Profiles;

namespace CoKv.Profiling;

/// <summary>Where a profile's task samples come from: a JSONL file (LongBench format) or a built-in generator.</summary>
public sealed record ProfileDataSource(string? DataFile = null, string? SyntheticKind = null, int SyntheticLength = 1024, int SyntheticCount = 32)
{
    public override string ToString() => DataFile ?? $"synthetic:{SyntheticKind}@{SyntheticLength}x{SyntheticCount}";
}

/// <summary>One profile to build for the loaded model.</summary>
public sealed record ProfileBuildRequest
{
    public required string TaskType { get; init; }
    public required ProfileDataSource Data { get; init; }
    /// <summary>"cokv" (Sliced Shapley values) or "baklava".</summary>
    public string Method { get; init; } = ProfileMethods.Cokv;
    public IReadOnlyList<int>? CoalitionSizes { get; init; }

    /// <summary>
    /// M where the default model's profiles converged with the stratified design and the control variate (relative
    /// MAE between two seeds 0.013–0.026, Spearman 0.947–0.994 on all five task kinds at 2,048 tokens:
    /// docs/results/cokv-quality-2048.md); 16 left them 10–19% apart.
    /// </summary>
    public const int DefaultSamplesPerSize = 128;
    public const Shapley.CoalitionDesign DefaultDesign = Shapley.CoalitionDesign.Stratified;
    public const bool DefaultControlVariate = true;

    /// <summary>M, draws per sampled coalition size (cokv).</summary>
    public int SamplesPerSize { get; init; } = DefaultSamplesPerSize;
    /// <summary>"metric" (the task metric of greedy answers) or "loglik" (gold answer log-likelihood, cheaper).</summary>
    public string Utility { get; init; } = "loglik";
    public int Window { get; init; } = 8;
    public int Seed { get; init; } = 1;
    /// <summary>Where checkpoints go, so a stopped build resumes.</summary>
    public required string CheckpointDirectory { get; init; }
    /// <summary>A second, independently seeded run (cokv): the profile then averages both and records their MAE.</summary>
    public int? SecondSeed { get; init; }
    /// <summary>How coalitions are drawn (cokv): stratified (enumerates the strata M covers, balances the others) or
    /// CoKV's independent draws.</summary>
    public Shapley.CoalitionDesign Design { get; init; } = DefaultDesign;
    /// <summary>Correct the sampled strata with a cross-fitted additive control variate (cokv).</summary>
    public bool ControlVariate { get; init; } = DefaultControlVariate;
}

/// <summary>Progress of a build: draws (or passes) done out of the total.</summary>
public sealed record ProfileProgress(string TaskType, int Done, int Total, TimeSpan Elapsed);

/// <summary>Computes a budget profile for the loaded model; resumable from its checkpoints, cancellable.</summary>
public interface IProfileBuilder
{
    Task<BudgetProfile> BuildAsync(ProfileBuildRequest request, IProgress<ProfileProgress>? progress, CancellationToken cancellation);
}
