using System.Text;
using System.Text.Json;
using CoKv.Common;

namespace CoKv.Profiles;

/// <summary>A profile file found by <see cref="ProfileStore.List"/>.</summary>
public sealed record ProfileEntry(string Path, string ModelFingerprint, string TaskType, string Method, DateTime CreatedUtc);

/// <summary>
/// Profiles as JSON files in one folder, one per (model fingerprint, task type, method), named
/// "{fingerprint prefix}.{task type}.{method}.json". Saving replaces the file atomically, so a reader never sees a
/// half-written profile.
/// </summary>
public sealed class ProfileStore
{
    /// <summary>Enough of the fingerprint to tell models apart in a listing; the full one is inside and checked.</summary>
    public const int FingerprintPrefixLength = 16;

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public ProfileStore(string directory)
    {
        Directory = System.IO.Path.GetFullPath(directory);
    }

    public string Directory { get; }

    public static string FileName(string modelFingerprint, string taskType, string method)
    {
        var fp = Sanitize(modelFingerprint);
        return $"{fp[..Math.Min(FingerprintPrefixLength, fp.Length)]}.{Sanitize(taskType)}.{Sanitize(method)}.json";
    }

    public string PathFor(string modelFingerprint, string taskType, string method) =>
        System.IO.Path.Combine(Directory, FileName(modelFingerprint, taskType, method));

    /// <summary>Writes (or replaces) the profile's file; returns its path.</summary>
    public string Save(BudgetProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.SchemaVersion != BudgetProfile.CurrentSchemaVersion) throw new UnsupportedProfileSchemaException(profile.SchemaVersion);
        if (string.IsNullOrWhiteSpace(profile.ModelFingerprint)) throw new ArgumentException("A profile needs a model fingerprint.", nameof(profile));
        if (string.IsNullOrWhiteSpace(profile.TaskType)) throw new ArgumentException("A profile needs a task type.", nameof(profile));
        var path = PathFor(profile.ModelFingerprint, profile.TaskType, profile.Method);
        AtomicFile.WriteAllText(path, Serialize(profile));
        return path;
    }

    /// <summary>Reads a profile file (relative paths are under <see cref="Directory"/>).</summary>
    public BudgetProfile Load(string path) => Read(Resolve(path));

    /// <summary>Reads a profile and refuses it unless it was made for <paramref name="modelFingerprint"/>.</summary>
    public BudgetProfile Load(string path, string modelFingerprint)
    {
        var full = Resolve(path);
        var profile = Read(full);
        profile.EnsureModel(modelFingerprint, full);
        return profile;
    }

    public bool TryFind(string modelFingerprint, string taskType, string method, out BudgetProfile? profile)
    {
        profile = null;
        var path = PathFor(modelFingerprint, taskType, method);
        if (!File.Exists(path)) return false;
        var candidate = Read(path);
        // Same file name but another model (fingerprints sharing a prefix): not ours.
        if (candidate.ModelFingerprint != modelFingerprint || candidate.TaskType != taskType || candidate.Method != method) return false;
        profile = candidate;
        return true;
    }

    /// <summary>Profiles in the folder, newest first; files that are not readable profiles are left out.</summary>
    public IReadOnlyList<ProfileEntry> List()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var entries = new List<ProfileEntry>();
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.json"))
        {
            try
            {
                var p = Read(file);
                entries.Add(new ProfileEntry(file, p.ModelFingerprint, p.TaskType, p.Method, p.CreatedUtc));
            }
            catch (Exception e) when (e is JsonException or InvalidDataException or NotSupportedException or IOException) { }
        }
        return entries.OrderByDescending(e => e.CreatedUtc).ThenBy(e => e.Path, StringComparer.Ordinal).ToArray();
    }

    public static string Serialize(BudgetProfile profile) => JsonSerializer.Serialize(profile, Json);

    /// <summary>Parses a profile, checking the schema version before anything else (a newer schema may have a
    /// different shape, and "unknown version" is the useful message then).</summary>
    public static BudgetProfile Deserialize(string json, string? source = null)
    {
        using (var doc = JsonDocument.Parse(json))
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("schema_version", out var v) || !v.TryGetInt32(out var version))
                throw new InvalidDataException($"{source ?? "Profile"}: no integer \"schema_version\"; not a budget profile.");
            if (version != BudgetProfile.CurrentSchemaVersion) throw new UnsupportedProfileSchemaException(version, source);
        }
        try
        {
            return JsonSerializer.Deserialize<BudgetProfile>(json, Json) ?? throw new InvalidDataException($"{source}: empty profile.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source ?? "Profile"}: {e.Message}", e);
        }
    }

    static BudgetProfile Read(string path) => Deserialize(File.ReadAllText(path, Encoding.UTF8), path);

    string Resolve(string path) => System.IO.Path.IsPathRooted(path) ? path : System.IO.Path.Combine(Directory, path);

    static string Sanitize(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s.ToLowerInvariant()) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-');
        return sb.ToString();
    }
}
