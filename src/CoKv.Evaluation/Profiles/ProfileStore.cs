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
            // Unreadable (permissions, a file removed meanwhile) or not a profile: skipped, as promised.
            catch (Exception e) when (e is ProfileFormatException or IOException or UnauthorizedAccessException) { }
        }
        return entries.OrderByDescending(e => e.CreatedUtc).ThenBy(e => e.Path, StringComparer.Ordinal).ToArray();
    }

    public static string Serialize(BudgetProfile profile) => JsonSerializer.Serialize(profile, Json);

    /// <summary>Largest profile file read (one of a 1,000-layer model with 64 KV heads is ~2 MB).</summary>
    public const long MaxFileBytes = 64L << 20;

    /// <summary>Parses a profile, checking the schema version before anything else (a newer schema may have a
    /// different shape, and "unknown version" is the useful message then). Every problem is a
    /// <see cref="ProfileFormatException"/> naming <paramref name="source"/> and the field.</summary>
    public static BudgetProfile Deserialize(string json, string? source = null)
    {
        var name = source ?? "Profile";
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ProfileFormatException($"{name}: not a budget profile: the file holds a JSON {doc.RootElement.ValueKind}, not an object.");
            if (!doc.RootElement.TryGetProperty("schema_version", out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var version))
                throw new ProfileFormatException($"{name}: no integer \"schema_version\"{(doc.RootElement.TryGetProperty("schema_version", out var got) ? $" (it is {CoKv.Models.MessageText.Json(got)})" : "")}; not a budget profile.");
            if (version != BudgetProfile.CurrentSchemaVersion) throw new UnsupportedProfileSchemaException(version, source);
        }
        catch (JsonException e)
        {
            throw new ProfileFormatException($"{name}: not valid JSON ({Short(e.Message)}).", e);
        }
        try
        {
            var profile = JsonSerializer.Deserialize<BudgetProfile>(json, Json) ?? throw new ProfileFormatException($"{name}: empty profile.");
            // Fields marked required may still be JSON null.
            if (profile.ModelFingerprint is null || profile.TaskType is null || profile.Method is null || profile.Scores is null)
                throw new ProfileFormatException($"{name}: model_fingerprint, task_type, method and scores must not be null.");
            return profile;
        }
        catch (JsonException e)
        {
            throw new ProfileFormatException($"{name}: {Short(e.Message)}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or OverflowException)
        {
            // What the serializer lets through from a converter or a constructor, for a value of the right JSON kind.
            throw new ProfileFormatException($"{name}: {Short(e.Message)}", e);
        }
    }

    static BudgetProfile Read(string path)
    {
        string json;
        try
        {
            long length = new FileInfo(path).Length;
            if (length > MaxFileBytes)
                throw new ProfileFormatException($"{path}: {length:N0} bytes, more than the {MaxFileBytes:N0} a profile may have.");
            json = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (FileNotFoundException) { throw; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProfileFormatException($"{path}: cannot read the profile ({e.Message}).", e);
        }
        return Deserialize(json, path);
    }

    static string Short(string message) => message.Length <= 300 ? message : message[..300] + "…";

    string Resolve(string path) => System.IO.Path.IsPathRooted(path) ? path : System.IO.Path.Combine(Directory, path);

    static string Sanitize(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s.ToLowerInvariant()) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-');
        return sb.ToString();
    }
}
