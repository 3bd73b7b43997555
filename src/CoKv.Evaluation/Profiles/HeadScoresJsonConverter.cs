using System.Text.Json;
using System.Text.Json.Serialization;

namespace CoKv.Profiles;

/// <summary>Writes <see cref="HeadScores"/> as {"layers", "kv_heads", "values"} and reads it back through
/// <see cref="HeadScores.Create"/>, so a hand-edited or truncated file fails on load, not in a budget policy.</summary>
public sealed class HeadScoresJsonConverter : JsonConverter<HeadScores>
{
    public override HeadScores Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        var root = doc.RootElement;
        try
        {
            var values = root.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            return HeadScores.Create(root.GetProperty("layers").GetInt32(), root.GetProperty("kv_heads").GetInt32(), values);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new JsonException($"Invalid head scores: {e.Message}", e);
        }
    }

    public override void Write(Utf8JsonWriter writer, HeadScores value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber("layers", value.Layers);
        writer.WriteNumber("kv_heads", value.KvHeads);
        writer.WriteStartArray("values");
        foreach (var v in value.Values) writer.WriteNumberValue(v);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
