using System.Text.Encodings.Web;
using System.Text.Json;

namespace CoKv.Generation.Constraints;

/// <summary>JSON text as chat templates write it (Python's json.dumps: ", " and ": ", non-ASCII kept as is).</summary>
public static class JsonText
{
    static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Quote(string text) => JsonSerializer.Serialize(text, Relaxed);

    /// <summary>The value on one line with ", " and ": " separators (jinja's tojson).</summary>
    public static string Compact(JsonElement value)
    {
        var sb = new System.Text.StringBuilder();
        Write(sb, value);
        return sb.ToString();
    }

    static void Write(System.Text.StringBuilder sb, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                sb.Append('{');
                var first = true;
                foreach (var p in value.EnumerateObject())
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    sb.Append(Quote(p.Name)).Append(": ");
                    Write(sb, p.Value);
                }
                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                var firstItem = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!firstItem) sb.Append(", ");
                    firstItem = false;
                    Write(sb, item);
                }
                sb.Append(']');
                break;
            case JsonValueKind.String:
                sb.Append(Quote(value.GetString()!));
                break;
            default:
                sb.Append(value.GetRawText());
                break;
        }
    }

    /// <summary>Indented with <paramref name="indent"/> spaces (jinja's tojson(indent=n)).</summary>
    public static string Indented(JsonElement value, int indent)
    {
        var options = new JsonWriterOptions { Indented = true, IndentSize = indent, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, options)) value.WriteTo(writer);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
