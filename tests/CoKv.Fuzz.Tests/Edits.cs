using System.Buffers.Binary;
using System.Text.Json.Nodes;

namespace CoKv.Fuzz.Tests;

/// <summary>Targeted corruptions of real files for the regression tests: one named field set to one value.</summary>
static class Edits
{
    /// <summary>A copy of a GGUF with the field labelled <paramref name="label"/> (see <see cref="FieldMaps.Gguf"/>) set to <paramref name="value"/>.</summary>
    public static byte[] Gguf(byte[] original, string label, long value)
    {
        var fields = FieldMaps.Gguf(original);
        var field = fields.FirstOrDefault(f => f.Label == label)
                    ?? throw new ArgumentException($"no field '{label}'; some are: {string.Join(", ", fields.Take(40).Select(f => f.Label))}");
        var bytes = (byte[])original.Clone();
        var span = bytes.AsSpan((int)field.Offset, field.Width);
        if (field.Width == 8) BinaryPrimitives.WriteInt64LittleEndian(span, value);
        else BinaryPrimitives.WriteInt32LittleEndian(span, checked((int)value));
        return bytes;
    }

    /// <summary>A copy of a llama2.c checkpoint with header int <paramref name="index"/> (0 = dim … 6 = seq_len) set.</summary>
    public static byte[] Llama2c(byte[] original, int index, int value)
    {
        var bytes = (byte[])original.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * index), value);
        return bytes;
    }

    /// <summary>Rewrites a JSON file in place, changing it with <paramref name="edit"/>.</summary>
    public static void Json(string path, Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(root);
        File.WriteAllText(path, root.ToJsonString());
    }

    /// <summary>Writes a safetensors file with exactly this header text and <paramref name="dataBytes"/> zero bytes of data.</summary>
    public static void Safetensors(string path, byte[] header, int dataBytes)
    {
        using var w = new BinaryWriter(File.Create(path));
        w.Write((ulong)header.Length);
        w.Write(header);
        w.Write(new byte[dataBytes]);
    }
}
