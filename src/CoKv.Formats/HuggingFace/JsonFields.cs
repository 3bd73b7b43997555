using System.Text.Json;
using CoKv.Models;

namespace CoKv.HuggingFace;

/// <summary>Typed reads of fields of an HF JSON file, failing with the file and field named.</summary>
readonly struct JsonFields(JsonElement root, string path)
{
    public JsonElement Root => root;

    public bool Has(string name) => root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public JsonElement? Get(string name) => root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public int Int(string name, int? fallback = null)
    {
        if (Get(name) is { } v)
        {
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i)) return i;
            if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) && d == Math.Floor(d) && Math.Abs(d) <= int.MaxValue) return (int)d;
            throw new ModelFormatException($"{path}: '{name}' should be an integer, not {v.GetRawText()}.");
        }
        return fallback ?? throw new ModelFormatException($"{path}: '{name}' is missing.");
    }

    public double Double(string name, double? fallback = null)
    {
        if (Get(name) is { } v)
        {
            if (v.ValueKind == JsonValueKind.Number) return v.GetDouble();
            throw new ModelFormatException($"{path}: '{name}' should be a number, not {v.GetRawText()}.");
        }
        return fallback ?? throw new ModelFormatException($"{path}: '{name}' is missing.");
    }

    public bool Bool(string name, bool fallback)
    {
        if (Get(name) is not { } v) return fallback;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ModelFormatException($"{path}: '{name}' should be true or false, not {v.GetRawText()}."),
        };
    }

    public string? String(string name) => Get(name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    /// <summary>An id given as an integer or a list of integers.</summary>
    public List<int> Ids(string name)
    {
        var ids = new List<int>();
        if (Get(name) is not { } v) return ids;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int one)) ids.Add(one);
        else if (v.ValueKind == JsonValueKind.Array)
            foreach (var x in v.EnumerateArray())
                if (x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out int i)) ids.Add(i);
                else throw new ModelFormatException($"{path}: '{name}' should hold integers, not {x.GetRawText()}.");
        else throw new ModelFormatException($"{path}: '{name}' should be an integer or a list of integers, not {v.GetRawText()}.");
        return ids;
    }

    public static JsonDocument Load(string path, string what)
    {
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: {what} not found.");
        try
        {
            var doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                doc.Dispose();
                throw new ModelFormatException($"{path}: {what} is not a JSON object.");
            }
            return doc;
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{path}: {what} is not valid JSON ({e.Message}).", e);
        }
    }
}
