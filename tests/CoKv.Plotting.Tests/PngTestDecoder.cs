using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using CoKv.Plotting;

namespace CoKv.Tests;

/// <summary>A decoded image: Pixel(x, y) reads straight from the inflated rows.</summary>
public sealed record DecodedPng(int Width, int Height, byte[] Rgba)
{
    public Rgba Pixel(int x, int y)
    {
        int i = (y * Width + x) * 4;
        return new Rgba(Rgba[i], Rgba[i + 1], Rgba[i + 2], Rgba[i + 3]);
    }
}

/// <summary>
/// Just enough PNG reading for the tests: 8-bit RGBA, no interlace, every row filter 0 (what PngEncoder writes).
/// Checks each chunk's CRC and rejects anything else, so a sloppy encoder fails loudly rather than decoding.
/// </summary>
public static class PngTestDecoder
{
    public static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static DecodedPng Decode(byte[] png)
    {
        Assert.Equal(Signature, png[..8]);
        int width = 0, height = 0;
        var idat = new MemoryStream();
        bool sawEnd = false;
        var chunkTypes = new List<string>();
        for (int at = 8; at < png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            string type = Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length));
            Assert.Equal(Crc32.Compute(png.AsSpan(at + 4, 4 + length)), crc);
            chunkTypes.Add(type);
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    Assert.Equal([8, 6, 0, 0, 0], data[8..13].ToArray()); // depth 8, RGBA, deflate, filter method 0, no interlace
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
            }
            at += 12 + length;
        }
        Assert.True(sawEnd, "no IEND chunk");
        Assert.Equal("IHDR", chunkTypes[0]);
        Assert.Equal("IEND", chunkTypes[^1]);

        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionMode.Decompress))
            zlib.CopyTo(inflated);
        var raw = inflated.ToArray();

        int stride = width * 4;
        Assert.Equal(height * (stride + 1), raw.Length);
        var rgba = new byte[height * stride];
        for (int y = 0; y < height; y++)
        {
            Assert.Equal(0, raw[y * (stride + 1)]); // filter type 0: the row is stored as is
            Array.Copy(raw, y * (stride + 1) + 1, rgba, y * stride, stride);
        }
        return new DecodedPng(width, height, rgba);
    }
}
