using System.Buffers.Binary;
using System.Text;

namespace CoKv.Fuzz.Tests;

/// <summary>A binary field of a real file that a mutation may overwrite: where it is, how wide, what it is.</summary>
sealed record Field(long Offset, int Width, string Label);

/// <summary>
/// The header fields of real files, found by walking their structure (independently of the readers under test), so
/// that mutations hit counts, lengths, dimensions and offsets, not only tensor bytes.
/// </summary>
static class FieldMaps
{
    /// <summary>GGUF: counts, every metadata value's type and length fields (a sample of long arrays), every tensor info field.</summary>
    public static List<Field> Gguf(byte[] b)
    {
        var fields = new List<Field> { new(4, 4, "version"), new(8, 8, "tensor count"), new(16, 8, "metadata count") };
        long tensorCount = BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(8)), kvCount = BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(16));
        long p = 24;
        string ReadString(string label)
        {
            fields.Add(new(p, 8, label + " length"));
            long n = BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan((int)p));
            var s = Encoding.UTF8.GetString(b, (int)p + 8, (int)n);
            p += 8 + n;
            return s;
        }
        void Value(uint type, string key, bool record)
        {
            int width = type switch { 0 or 1 or 7 => 1, 2 or 3 => 2, 4 or 5 or 6 => 4, 10 or 11 or 12 => 8, _ => 0 };
            if (width > 0)
            {
                if (record) fields.Add(new(p, width, key));
                p += width;
                return;
            }
            if (type == 8)
            {
                if (record) ReadString(key);
                else p += 8 + BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan((int)p));
                return;
            }
            // Array: element type, count, elements; the first and last few elements are recorded.
            fields.Add(new(p, 4, key + " element type"));
            uint itemType = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)p));
            fields.Add(new(p + 4, 8, key + " count"));
            long count = BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan((int)p + 4));
            p += 12;
            for (long i = 0; i < count; i++) Value(itemType, $"{key}[{i}]", i < 4 || i >= count - 4);
        }
        for (long i = 0; i < kvCount; i++)
        {
            var key = ReadString($"key #{i}");
            fields.Add(new(p, 4, key + " type"));
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)p));
            p += 4;
            Value(type, key, true);
        }
        for (long t = 0; t < tensorCount; t++)
        {
            var name = ReadString($"tensor #{t} name");
            fields.Add(new(p, 4, name + " n_dims"));
            uint dims = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)p));
            p += 4;
            for (int d = 0; d < dims; d++) { fields.Add(new(p, 8, $"{name} ne[{d}]")); p += 8; }
            fields.Add(new(p, 4, name + " type"));
            fields.Add(new(p + 4, 8, name + " offset"));
            p += 12;
        }
        return fields;
    }

    /// <summary>llama2.c checkpoint: the seven int32 of the header.</summary>
    public static List<Field> Llama2c() =>
        new[] { "dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len" }.Select((n, i) => new Field(4 * i, 4, n)).ToList();

    /// <summary>llama2.c tokenizer.bin: max_token_length, then each token's score and length.</summary>
    public static List<Field> Llama2cTokenizer(byte[] b)
    {
        var fields = new List<Field> { new(0, 4, "max_token_length") };
        long p = 4;
        for (int i = 0; p + 8 <= b.Length; i++)
        {
            fields.Add(new(p, 4, $"token {i} score"));
            fields.Add(new(p + 4, 4, $"token {i} length"));
            p += 8 + BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan((int)p + 4));
        }
        return fields;
    }

    /// <summary>safetensors: the header length.</summary>
    public static List<Field> Safetensors() => [new(0, 8, "header length")];
}
