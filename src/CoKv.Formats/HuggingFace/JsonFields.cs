using System.Text.Json;
using CoKv.Models;

namespace CoKv.HuggingFace;

/// <summary>Typed reads of fields of an HF JSON file, failing with the file, the field and the value named.</summary>
readonly struct JsonFields(JsonElement root, string path)
{
    public JsonElement Root => root;

    public bool Has(string name) => JsonValues.Get(root, name) is not null;

    public JsonElement? Get(string name) => JsonValues.Get(root, name);

    public int Int(string name, int? fallback = null) =>
        Get(name) is { } v ? JsonValues.Int(v, path, name) : fallback ?? throw new ModelFormatException($"{path}: '{name}' is missing.");

    public double Double(string name, double? fallback = null) =>
        Get(name) is { } v ? JsonValues.Double(v, path, name) : fallback ?? throw new ModelFormatException($"{path}: '{name}' is missing.");

    public bool Bool(string name, bool fallback) => Get(name) is { } v ? JsonValues.Bool(v, path, name) : fallback;

    /// <summary>A string field; null when absent or JSON null, an error when of another kind.</summary>
    public string? String(string name) => Get(name) is { } v ? JsonValues.String(v, path, name) : null;

    /// <summary>An id given as an integer or a list of integers (each an int32).</summary>
    public List<int> Ids(string name)
    {
        var ids = new List<int>();
        if (Get(name) is not { } v) return ids;
        if (v.ValueKind == JsonValueKind.Number) ids.Add(JsonValues.Int(v, path, name));
        else if (v.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var x in v.EnumerateArray()) ids.Add(JsonValues.Int(x, path, $"{name}[{i++}]"));
        }
        else throw JsonValues.WrongKind(v, "an integer or a list of integers", path, name);
        return ids;
    }

    public static JsonDocument Load(string path, string what) => JsonValues.Load(path, what);
}
