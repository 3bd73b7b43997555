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
        if (root.ValueKind != JsonValueKind.Object) throw new JsonException($"\"scores\" should be an object, not {root.ValueKind}.");
        int Int(string name) =>
            root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) && i > 0
                ? i : throw new JsonException($"\"scores.{name}\" should be a positive 32-bit integer{(root.TryGetProperty(name, out var got) ? $", not {CoKv.Models.MessageText.Json(got)}" : " (missing)")}.");
        int layers = Int("layers"), kvHeads = Int("kv_heads");
        if (!root.TryGetProperty("values", out var array) || array.ValueKind != JsonValueKind.Array)
            throw new JsonException("\"scores.values\" should be an array of numbers.");
        if ((long)layers * kvHeads != array.GetArrayLength())
            throw new JsonException($"\"scores.values\" holds {array.GetArrayLength():N0} numbers; {layers} layers x {kvHeads} KV heads need {(long)layers * kvHeads:N0}.");
        var values = new double[array.GetArrayLength()];
        int n = 0;
        foreach (var e in array.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out values[n]) || !double.IsFinite(values[n]))
                throw new JsonException($"\"scores.values[{n}]\" should be a finite number, not {CoKv.Models.MessageText.Json(e)}.");
            n++;
        }
        return HeadScores.Create(layers, kvHeads, values);
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
