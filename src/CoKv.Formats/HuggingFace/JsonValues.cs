using System.Text.Json;
using System.Text.Unicode;
using CoKv.Models;

namespace CoKv.HuggingFace;

/// <summary>
/// Reads of JSON values from model files that check the value's kind and range first, so that a wrong type (an
/// object for a bool, a string for a number, 1e10 for an int) fails with the file, the field, the value and what was
/// expected, rather than with a JsonElement accessor's InvalidOperationException or FormatException.
/// </summary>
static class JsonValues
{
    /// <summary>Largest JSON file read (tokenizer.json of the largest vocabularies is ~35 MB).</summary>
    public const long MaxFileBytes = 256L << 20;

    /// <summary>
    /// Reads and parses a JSON file whose root must be an object: the size is checked before reading, the bytes are
    /// checked to be UTF-8 (System.Text.Json only finds bad UTF-8 when a string is read), nesting is capped at 64.
    /// </summary>
    public static JsonDocument Load(string path, string what)
    {
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: {what} not found.");
        byte[] bytes;
        try
        {
            long length = new FileInfo(path).Length;
            if (length > MaxFileBytes)
                throw new ModelFormatException($"{path}: {what} is {length:N0} bytes, more than the {MaxFileBytes:N0} a JSON file may have.");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{path}: cannot read {what} ({e.Message}).", e);
        }
        return Parse(bytes, path, what);
    }

    public static JsonDocument Parse(ReadOnlySpan<byte> bytes, string path, string what)
    {
        if (!Utf8.IsValid(bytes))
            throw new ModelFormatException($"{path}: {what} is not valid UTF-8 text (byte {FirstInvalidUtf8(bytes)} is not part of a UTF-8 character).");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes.ToArray(), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{path}: {what} is not valid JSON ({Short(e.Message)}).", e);
        }
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = doc.RootElement.ValueKind;
            doc.Dispose();
            throw new ModelFormatException($"{path}: {what} is not a JSON object (its root is {kind}).");
        }
        return doc;
    }

    /// <summary>A property, or null when absent or JSON null; a non-object parent has no properties.</summary>
    public static JsonElement? Get(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    /// <summary>A property that must be present and of <paramref name="kind"/>.</summary>
    public static JsonElement Required(JsonElement parent, string name, JsonValueKind kind, string path, string field)
    {
        var v = Get(parent, name) ?? throw new ModelFormatException($"{path}: '{field}' is missing.");
        return Kind(v, kind, path, field);
    }

    public static JsonElement Kind(JsonElement v, JsonValueKind kind, string path, string field) =>
        v.ValueKind == kind ? v : throw WrongKind(v, KindName(kind), path, field);

    public static string String(JsonElement v, string path, string field) => Kind(v, JsonValueKind.String, path, field).GetString()!;

    public static bool Bool(JsonElement v, string path, string field) => v.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw WrongKind(v, "true or false", path, field),
    };

    /// <summary>An integer in [min, max] (1e3 written as a float is accepted when whole).</summary>
    public static int Int(JsonElement v, string path, string field, int min = int.MinValue, int max = int.MaxValue)
    {
        if (v.ValueKind != JsonValueKind.Number) throw WrongKind(v, "an integer", path, field);
        if (v.TryGetInt64(out long l) && l >= min && l <= max) return (int)l;
        if (!v.TryGetInt64(out _) && v.TryGetDouble(out double d) && d == Math.Floor(d) && d >= min && d <= max) return (int)d;
        throw new ModelFormatException($"{path}: '{field}' is {MessageText.Json(v)}; it must be an integer from {min:N0} to {max:N0}.");
    }

    /// <summary>A finite number.</summary>
    public static double Double(JsonElement v, string path, string field)
    {
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) && double.IsFinite(d)) return d;
        throw WrongKind(v, "a finite number", path, field);
    }

    public static ModelFormatException WrongKind(JsonElement v, string expected, string path, string field) =>
        new($"{path}: '{field}' should be {expected}, not {MessageText.Json(v)}.");

    static string KindName(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        _ => kind.ToString(),
    };

    static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        int offset = 0;
        while (offset < bytes.Length)
        {
            var status = System.Text.Rune.DecodeFromUtf8(bytes[offset..], out _, out int consumed);
            if (status != System.Buffers.OperationStatus.Done) return offset;
            offset += consumed;
        }
        return offset;
    }

    static string Short(string message) => message.Length <= 200 ? message : message[..200] + "…";
}
