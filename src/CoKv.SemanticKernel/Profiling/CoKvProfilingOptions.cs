using CoKv.Profiling;

namespace CoKv.SemanticKernel.Profiling;

/// <summary>
/// Which profiles <see cref="ProfilingHostedService"/> keeps up to date for the loaded model, and how they are
/// estimated. Task types map to a LongBench-style JSONL file or a built-in generator ("synthetic:KIND",
/// "synthetic:KIND@LENGTH" or "synthetic:KIND@LENGTHxCOUNT").
/// </summary>
public sealed class CoKvProfilingOptions
{
    public const string SyntheticPrefix = "synthetic:";

    /// <summary>Task type → data source, e.g. <c>TaskTypes.Add("single-doc-qa", "data/sdqa.jsonl")</c>.</summary>
    public Dictionary<string, string> TaskTypes { get; } = new(StringComparer.Ordinal);
    /// <summary>The registration (service id) whose model is profiled; null for the unkeyed one.</summary>
    public string? ServiceId { get; set; }
    /// <summary>"cokv" (Sliced Shapley values) or "baklava".</summary>
    public string Method { get; set; } = BudgetPolicyNames.Cokv;
    /// <summary>H, the coalition sizes; null takes N/8, N/4, 3N/8, N/2.</summary>
    public List<int>? CoalitionSizes { get; set; }
    /// <summary>M, draws per sampled coalition size: 128, where the default model's profiles converged with the
    /// stratified design and the control variate.</summary>
    public int SamplesPerSize { get; set; } = ProfileBuildRequest.DefaultSamplesPerSize;
    /// <summary>"stratified" (enumerate the sizes M covers, balance the others) or "independent" (CoKV's own draws).</summary>
    public string Design { get; set; } = CoKv.Shapley.ShapleyCheckpoint.DesignName(ProfileBuildRequest.DefaultDesign);
    /// <summary>Correct the sampled sizes with the cross-fitted additive control variate.</summary>
    public bool ControlVariate { get; set; } = ProfileBuildRequest.DefaultControlVariate;
    /// <summary>"loglik" (the gold answer's log-likelihood, cheap and continuous), "loglik-norm" (the same scaled per
    /// sample) or "metric".</summary>
    public string Utility { get; set; } = "loglik";
    public int Seed { get; set; } = 1;
    /// <summary>w for the profile; null takes the registration's window.</summary>
    public int? Window { get; set; }
    public int SyntheticLength { get; set; } = 1024;
    public int SyntheticCount { get; set; } = 32;
    /// <summary>Where unfinished builds keep their checkpoints; null is "checkpoints" under the profile directory.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Reads a task type's source as the profile builder's data source.</summary>
    public ProfileDataSource DataSourceFor(string source)
    {
        if (!source.StartsWith(SyntheticPrefix, StringComparison.OrdinalIgnoreCase)) return new ProfileDataSource(DataFile: source);
        var spec = source[SyntheticPrefix.Length..];
        int length = SyntheticLength, count = SyntheticCount;
        var at = spec.IndexOf('@');
        if (at >= 0)
        {
            var size = spec[(at + 1)..].Split('x');
            if (!int.TryParse(size[0], out length) || (size.Length > 1 && !int.TryParse(size[1], out count)) || size.Length > 2)
                throw new FormatException($"'{source}': expected synthetic:KIND@LENGTH or synthetic:KIND@LENGTHxCOUNT.");
            spec = spec[..at];
        }
        if (spec.Length == 0) throw new FormatException($"'{source}': no synthetic kind.");
        return new ProfileDataSource(SyntheticKind: spec, SyntheticLength: length, SyntheticCount: count);
    }
}
