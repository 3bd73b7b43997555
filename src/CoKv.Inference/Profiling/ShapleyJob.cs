using System.Text.Json;
using System.Text.Json.Serialization;
using CoKv.Common;

namespace CoKv.Profiling;

/// <summary>
/// Everything about a Sliced Shapley profile build except its draws: written beside the checkpoints, so that the
/// shards of an array job can be merged into a profile on a machine that never loaded the model.
/// </summary>
public sealed record ShapleyJob
{
    [JsonPropertyName("model_fingerprint")] public required string ModelFingerprint { get; init; }
    [JsonPropertyName("model_description")] public string ModelDescription { get; init; } = "";
    [JsonPropertyName("task_type")] public required string TaskType { get; init; }
    [JsonPropertyName("layers")] public required int Layers { get; init; }
    [JsonPropertyName("kv_heads")] public required int KvHeads { get; init; }
    [JsonPropertyName("sizes")] public required int[] Sizes { get; init; }
    [JsonPropertyName("samples_per_size")] public required int SamplesPerSize { get; init; }
    [JsonPropertyName("seed")] public required int Seed { get; init; }
    [JsonPropertyName("second_seed")] public int? SecondSeed { get; init; }
    [JsonPropertyName("utility")] public required string Utility { get; init; }
    [JsonPropertyName("window")] public required int Window { get; init; }
    [JsonPropertyName("metric")] public string? Metric { get; init; }
    [JsonPropertyName("dataset_sha256")] public required string DatasetSha256 { get; init; }
    [JsonPropertyName("sample_count")] public required int SampleCount { get; init; }
    [JsonPropertyName("datasets")] public string[] Datasets { get; init; } = [];
    [JsonPropertyName("source")] public string Source { get; init; } = "";
    /// <summary>"independent" (what job files without the field describe) or "stratified".</summary>
    [JsonPropertyName("design")] public string Design { get; init; } = "independent";
    [JsonPropertyName("control_variate")] public bool ControlVariate { get; init; }

    [JsonIgnore]
    public Shapley.CoalitionDesign CoalitionDesign => Shapley.ShapleyCheckpoint.ParseDesign(Design);

    public int Players => Layers * KvHeads;

    /// <summary>Names the game in every checkpoint, so a resume or merge never mixes draws of different games.</summary>
    [JsonIgnore]
    public string Tag => $"{ModelFingerprint}|{Utility}|w{Window}|{DatasetSha256}";

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string FileName(string taskType) => $"{Safe(taskType)}.cokv.job.json";

    public string CheckpointFileName(int seed, Shapley.ShardSpec shard) =>
        $"{Safe(TaskType)}.cokv.{Utility}{(Design == "independent" ? "" : "." + Design)}.seed{seed}.shard{shard.Index}-{shard.Count}.ckpt.json";

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, FileName(TaskType)), JsonSerializer.Serialize(this, Json));
    }

    public static ShapleyJob Load(string path) =>
        JsonSerializer.Deserialize<ShapleyJob>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty job file.");

    /// <summary>Refuses to resume into checkpoints of another game (other data, model, utility or window).</summary>
    public void EnsureSameGame(ShapleyJob other, string source)
    {
        if (other.Tag != Tag || other.Players != Players || !other.Sizes.SequenceEqual(Sizes) || other.Design != Design)
            throw new InvalidOperationException(
                $"{source} describes another game (model, data, utility, window, sizes or design differ): use another checkpoint directory or remove it.");
    }

    static string Safe(string s) => string.Concat(s.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-'));
}
