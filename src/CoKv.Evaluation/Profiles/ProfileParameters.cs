using System.Text.Json.Serialization;

namespace CoKv.Profiles;

/// <summary>The settings a profile was estimated with, so that it can be reproduced or extended.</summary>
public sealed record ProfileParameters
{
    /// <summary>H, the Sliced Shapley strata (cokv).</summary>
    [JsonPropertyName("coalition_sizes")] public int[]? CoalitionSizes { get; init; }
    /// <summary>M, draws per size (cokv).</summary>
    [JsonPropertyName("samples_per_size")] public int? SamplesPerSize { get; init; }
    /// <summary>w, tokens every head keeps (the observation window).</summary>
    [JsonPropertyName("window")] public int? Window { get; init; }
    /// <summary>Task metric name, e.g. "qa_f1".</summary>
    [JsonPropertyName("metric")] public string? Metric { get; init; }
    /// <summary>What U(S) measured: "metric", "gold_log_likelihood", ...</summary>
    [JsonPropertyName("utility")] public string? Utility { get; init; }
    /// <summary>Seeds of the runs the scores came from (two for a convergence check).</summary>
    [JsonPropertyName("seeds")] public long[] Seeds { get; init; } = [];
    /// <summary>How the coalitions were drawn (cokv): "stratified" or "independent"; null in profiles older than the field.</summary>
    [JsonPropertyName("design")] public string? Design { get; init; }
    /// <summary>Whether the additive control variate corrected the sampled sizes (cokv); null in profiles older than the field.</summary>
    [JsonPropertyName("control_variate")] public bool? ControlVariate { get; init; }
    /// <summary>Method-specific settings (BaKlaVa's redistribution strength, ...).</summary>
    [JsonPropertyName("extra")] public Dictionary<string, string>? Extra { get; init; }
}
