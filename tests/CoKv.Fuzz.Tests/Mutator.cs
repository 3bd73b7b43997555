using System.Buffers.Binary;
using System.Text;

namespace CoKv.Fuzz.Tests;

/// <summary>
/// Seeded mutations of a real file's bytes: truncations, byte flips, fields overwritten with 0, −1, 2³¹−1, 2⁶³−1 or
/// values past the end of the file. Each returns the new bytes and a description a failure message can show.
/// </summary>
static class Mutator
{
    /// <summary>Header-heavy: most mutations land in the first <paramref name="headerBytes"/> bytes, where the structure is.</summary>
    public static (byte[] Bytes, string What) Binary(byte[] original, IReadOnlyList<Field> fields, Random random, long headerBytes)
    {
        int kind = random.Next(10);
        if (kind < 2) return Truncate(original, random, headerBytes);
        if (kind < 4) return Flip(original, random, headerBytes);
        return Overwrite(original, fields[random.Next(fields.Count)], random);
    }

    public static (byte[], string) Truncate(byte[] original, Random random, long headerBytes)
    {
        long limit = random.Next(4) == 0 ? original.Length : Math.Min(original.Length, headerBytes);
        int length = (int)(random.NextInt64(limit));
        return (original[..length], $"truncated to {length} of {original.Length} bytes");
    }

    public static (byte[], string) Flip(byte[] original, Random random, long headerBytes)
    {
        var bytes = (byte[])original.Clone();
        int flips = 1 + random.Next(8);
        var at = new List<int>();
        for (int i = 0; i < flips; i++)
        {
            int offset = (int)random.NextInt64(random.Next(4) == 0 ? bytes.Length : Math.Min(bytes.Length, headerBytes));
            bytes[offset] ^= (byte)(1 + random.Next(255));
            at.Add(offset);
        }
        return (bytes, $"bytes flipped at {string.Join(", ", at)}");
    }

    public static (byte[], string) Overwrite(byte[] original, Field field, Random random)
    {
        var bytes = (byte[])original.Clone();
        long pastEnd = original.Length + random.Next(1, 4096);
        ulong value = random.Next(9) switch
        {
            0 => 0,
            1 => ulong.MaxValue, // −1
            2 => int.MaxValue,
            3 => long.MaxValue,
            4 => (ulong)pastEnd,
            5 => 1UL << 31,
            6 => 1UL << 32,
            7 => (ulong)random.NextInt64(),
            _ => (ulong)(original.Length / Math.Max(1, field.Width)),
        };
        var span = bytes.AsSpan((int)field.Offset, field.Width);
        switch (field.Width)
        {
            case 1: span[0] = (byte)value; break;
            case 2: BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)value); break;
            case 4: BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)(value == long.MaxValue ? int.MaxValue : value)); break;
            default: BinaryPrimitives.WriteUInt64LittleEndian(span, value); break;
        }
        return (bytes, $"{field.Label} (byte {field.Offset}, {field.Width} bytes) set to {(long)value}");
    }

    /// <summary>
    /// A GGUF whose first metadata value is an array of arrays nested <paramref name="depth"/> deep: the class that
    /// overflowed the stack of a recursive reader.
    /// </summary>
    public static byte[] GgufWithNestedArray(byte[] original, int depth)
    {
        var key = Encoding.UTF8.GetBytes("fuzz.nested");
        using var stream = new MemoryStream();
        using var w = new BinaryWriter(stream);
        w.Write(original, 0, 16);
        w.Write(BinaryPrimitives.ReadInt64LittleEndian(original.AsSpan(16)) + 1);
        w.Write((ulong)key.Length);
        w.Write(key);
        w.Write(9u); // array
        for (int i = 0; i < depth; i++) { w.Write(9u); w.Write(1UL); } // of one array, ...
        w.Write(0u); w.Write(0UL); // ... of no uint8
        w.Write(original, 24, original.Length - 24);
        w.Flush();
        return stream.ToArray();
    }
}
