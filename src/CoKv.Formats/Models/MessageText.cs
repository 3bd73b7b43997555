using System.Text.Json;

namespace CoKv.Models;

/// <summary>
/// Values from a file quoted in error messages: capped, so that a corrupt file cannot make a message megabytes long
/// (a tensor name claiming 5 MB of the file is still shown as its first few dozen characters and its length).
/// </summary>
public static class MessageText
{
    /// <summary>Longest quoted value, in characters.</summary>
    public const int MaxQuoted = 80;

    /// <summary>'text', or 'first 80 characters…' (N chars) when longer; control characters escaped.</summary>
    public static string Quote(string? text, int max = MaxQuoted)
    {
        if (text is null) return "null";
        var shown = text.Length <= max ? text : text[..max];
        var escaped = new System.Text.StringBuilder(shown.Length + 2).Append('\'');
        foreach (var c in shown)
            escaped.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        escaped.Append('\'');
        return text.Length <= max ? escaped.ToString() : $"{escaped.ToString()[..^1]}…' ({text.Length:N0} chars)";
    }

    /// <summary>A JSON value as a short description: its kind and its (capped) text.</summary>
    public static string Json(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => Cap("object " + value.GetRawText()),
        JsonValueKind.Array => Cap($"array of {value.GetArrayLength()} " + value.GetRawText()),
        JsonValueKind.String => "string " + Quote(SafeString(value)),
        _ => Cap(value.GetRawText()),
    };

    static string Cap(string raw) => raw.Length <= MaxQuoted ? raw : raw[..MaxQuoted] + $"… ({raw.Length:N0} chars)";

    static string SafeString(JsonElement value)
    {
        try { return value.GetString() ?? ""; }
        catch (InvalidOperationException) { return value.GetRawText(); }
    }
}
