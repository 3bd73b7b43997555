using System.Text.Json;
using System.Text.Json.Serialization;
using CoKv.Common;

namespace CoKv.Shapley;

/// <summary>
/// The draws a (shard of a) run has evaluated, with the parameters that define the draw sequence. Doubles are
/// written shortest-round-trip, so a resumed or merged run computes bit-identical values.
/// </summary>
public sealed record ShapleyCheckpoint
{
    public const string FormatName = "cokv-sliced-shapley-checkpoint";
    public const int CurrentVersion = 1;

    [JsonPropertyName("format")] public string Format { get; init; } = FormatName;
    [JsonPropertyName("version")] public int Version { get; init; } = CurrentVersion;
    [JsonPropertyName("players")] public required int Players { get; init; }
    [JsonPropertyName("sizes")] public required int[] Sizes { get; init; }
    [JsonPropertyName("samples_per_size")] public required int SamplesPerSize { get; init; }
    [JsonPropertyName("seed")] public required long Seed { get; init; }
    /// <summary>"independent" (CoKV's draws; what checkpoints without the field hold) or "stratified".</summary>
    [JsonPropertyName("design")] public string Design { get; init; } = "independent";
    [JsonPropertyName("tag")] public string Tag { get; init; } = "";
    [JsonPropertyName("shard_index")] public int ShardIndex { get; init; }
    [JsonPropertyName("shard_count")] public int ShardCount { get; init; } = 1;
    [JsonPropertyName("draws")] public required ShapleyDraw[] Draws { get; init; }

    static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    public static ShapleyCheckpoint Load(string path)
    {
        var cp = JsonSerializer.Deserialize<ShapleyCheckpoint>(File.ReadAllText(path), Json)
                 ?? throw new InvalidDataException($"{path}: empty checkpoint.");
        if (cp.Format != FormatName) throw new InvalidDataException($"{path}: not a Sliced Shapley checkpoint (format '{cp.Format}').");
        if (cp.Version != CurrentVersion) throw new InvalidDataException($"{path}: checkpoint version {cp.Version} is not supported (expected {CurrentVersion}).");
        return cp;
    }

    [JsonIgnore]
    public CoalitionDesign CoalitionDesign => ParseDesign(Design);

    public static string DesignName(CoalitionDesign design) => design.ToString().ToLowerInvariant();

    public static CoalitionDesign ParseDesign(string name) =>
        Enum.TryParse<CoalitionDesign>(name, ignoreCase: true, out var d) && Enum.IsDefined(d) && !int.TryParse(name, out _) ? d
            : throw new InvalidDataException($"Unknown coalition design '{name}': use independent or stratified.");

    /// <summary>Throws unless this checkpoint's draws belong to the same game and sequence.</summary>
    internal void EnsureCompatible(int players, IReadOnlyList<int> sizes, long seed, string tag, string source, CoalitionDesign design = CoalitionDesign.Independent)
    {
        if (Players != players || !Sizes.SequenceEqual(sizes) || Seed != seed || Tag != tag || CoalitionDesign != design)
            throw new InvalidOperationException(
                $"{source}: checkpoint is for players={Players}, sizes=[{string.Join(",", Sizes)}], seed={Seed}, design={Design}, tag='{Tag}', " +
                $"not players={players}, sizes=[{string.Join(",", sizes)}], seed={seed}, design={DesignName(design)}, tag='{tag}'. Use another checkpoint path.");
    }
}
