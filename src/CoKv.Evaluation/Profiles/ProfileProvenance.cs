using System.Text.Json.Serialization;

namespace CoKv.Profiles;

/// <summary>What the profile was estimated on.</summary>
public sealed record ProfileProvenance
{
    /// <summary>SHA-256 (hex) of the validation data, see <see cref="Datasets.DatasetHash"/>.</summary>
    [JsonPropertyName("dataset_sha256")] public string? DatasetSha256 { get; init; }
    [JsonPropertyName("sample_count")] public int SampleCount { get; init; }
    /// <summary>MAE between two differently seeded estimates; converged when below 1/N.</summary>
    [JsonPropertyName("convergence_mae")] public double? ConvergenceMae { get; init; }
    /// <summary>Dataset names or files, for people reading the profile.</summary>
    [JsonPropertyName("datasets")] public string[]? Datasets { get; init; }
}
