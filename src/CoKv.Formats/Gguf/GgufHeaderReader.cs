using System.Buffers.Binary;
using System.Text;
using CoKv.Models;

namespace CoKv.Gguf;

/// <summary>
/// Sequential little-endian reads over the mapped header. Every read is bounds-checked, and every count read from
/// the file is checked against the bytes left before anything is allocated for it, so that a corrupt count cannot
/// make us allocate gigabytes.
/// </summary>
sealed class GgufHeaderReader(MappedFile file)
{
    public long Position { get; set; }

    ReadOnlySpan<byte> Take(int count, string what)
    {
        if (!file.Contains(Position, count))
            throw new ModelFormatException($"{file.Path}: the file is truncated: it ends while reading {what} at byte {Position:N0} ({file.Length:N0} bytes in all).");
        var span = file.Span(Position, count);
        Position += count;
        return span;
    }

    public long Remaining => file.Length - Position;

    public byte U8(string what) => Take(1, what)[0];
    public ushort U16(string what) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, what));
    public uint U32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));
    public ulong U64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, what));
    public long I64(string what) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, what));
    public float F32(string what) => BinaryPrimitives.ReadSingleLittleEndian(Take(4, what));
    public double F64(string what) => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, what));

    /// <summary>A count of items each at least <paramref name="minItemBytes"/> long, which must fit in the rest of the file.</summary>
    public int Count(string what, int minItemBytes)
    {
        ulong n = U64(what);
        if (n > (ulong)Math.Max(0, Remaining) / (ulong)Math.Max(1, minItemBytes) || n > int.MaxValue)
            throw new ModelFormatException($"{file.Path}: {what} is {n:N0}, more than the remaining {Remaining:N0} bytes of the file can hold (corrupt or truncated file).");
        return (int)n;
    }

    /// <summary>A length-prefixed UTF-8 string of at most <paramref name="maxBytes"/> bytes (and never past the end).</summary>
    public string String(string what, long maxBytes = int.MaxValue)
    {
        long at = Position;
        ulong n = U64(what + " length");
        if (n > (ulong)maxBytes)
            throw new ModelFormatException($"{file.Path}: {what} at byte {at:N0} claims a length of {n:N0} bytes; the limit is {maxBytes:N0} (corrupt file).");
        if (n > (ulong)Math.Max(0, Remaining) || n > int.MaxValue)
            throw new ModelFormatException($"{file.Path}: the file is truncated or corrupt: {what} claims {n:N0} bytes at byte {Position:N0}, but only {Remaining:N0} remain.");
        return Encoding.UTF8.GetString(Take((int)n, what));
    }
}
