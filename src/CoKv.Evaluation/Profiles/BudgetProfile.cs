using System.Text.Json.Serialization;

namespace CoKv.Profiles;

/// <summary>
/// Per-head scores for one (model, task type, method), with how and on what they were made. Stored as one JSON
/// file by <see cref="ProfileStore"/>; budget policies read <see cref="Scores"/>.
/// </summary>
public sealed record BudgetProfile
{
    public const int CurrentSchemaVersion = 1;

    [JsonPropertyName("schema_version")] public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    /// <summary>Identifies the exact model the scores are for; a profile is refused for any other.</summary>
    [JsonPropertyName("model_fingerprint")] public required string ModelFingerprint { get; init; }
    [JsonPropertyName("model_description")] public string ModelDescription { get; init; } = "";
    /// <summary>A task category such as "single-doc-qa" (see <see cref="Datasets.TaskCategories"/>).</summary>
    [JsonPropertyName("task_type")] public required string TaskType { get; init; }
    /// <summary>"cokv" or "baklava" (<see cref="ProfileMethods"/>).</summary>
    [JsonPropertyName("method")] public required string Method { get; init; }
    [JsonPropertyName("scores"), JsonConverter(typeof(HeadScoresJsonConverter))] public required HeadScores Scores { get; init; }
    [JsonPropertyName("parameters")] public ProfileParameters Parameters { get; init; } = new();
    [JsonPropertyName("provenance")] public ProfileProvenance Provenance { get; init; } = new();
    [JsonPropertyName("created_utc")] public DateTime CreatedUtc { get; init; } = DateTime.UtcNow;

    /// <summary>Throws <see cref="ProfileModelMismatchException"/> unless the profile was made for this model.</summary>
    public void EnsureModel(string modelFingerprint, string? source = null)
    {
        if (!string.Equals(ModelFingerprint, modelFingerprint, StringComparison.Ordinal))
            throw new ProfileModelMismatchException(ModelFingerprint, modelFingerprint, source);
    }
}
