using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace CoKv.Plotting;

/// <summary>Writes 8-bit RGBA images as PNG (colour type 6, no interlace).</summary>
public static class PngEncoder
{
    static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <param name="rgba">Rows top to bottom, 4 bytes a pixel, no padding.</param>
    public static byte[] Encode(int width, int height, ReadOnlySpan<byte> rgba)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (rgba.Length != checked(width * height * 4))
            throw new ArgumentException($"Expected {width * height * 4} bytes for {width}x{height} RGBA, got {rgba.Length}.", nameof(rgba));

        using var png = new MemoryStream();
        png.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;  // bits per channel
        header[9] = 6;  // RGBA
        header[10] = 0; // deflate
        header[11] = 0; // adaptive filtering (each row says its own filter)
        header[12] = 0; // no interlace
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", Compress(width, height, rgba));
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    public static byte[] Encode(Canvas canvas) => Encode(canvas.Width, canvas.Height, canvas.Pixels);

    static byte[] Compress(int width, int height, ReadOnlySpan<byte> rgba)
    {
        // Every row uses filter 0 (none). Charts are mostly flat colour, which deflate handles well unfiltered,
        // and it keeps any reader (the tests' included) trivial.
        int stride = width * 4;
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                zlib.WriteByte(0);
                zlib.Write(rgba.Slice(y * stride, stride));
            }
        }
        return compressed.ToArray();
    }

    static void WriteChunk(Stream png, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);

        Span<byte> typeBytes = stackalloc byte[4];
        Encoding.ASCII.GetBytes(type, typeBytes);
        png.Write(typeBytes);
        png.Write(data);

        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Append(Crc32.Compute(typeBytes), data));
        png.Write(word);
    }
}
