using CoKv.Plotting;
using SkiaSharp;

namespace CoKv.Tests;

/// <summary>A PNG decoded by SkiaSharp's codec (not by the code under test), copied out into plain colours.</summary>
public sealed record DecodedPng(int Width, int Height, Rgba[] Pixels)
{
    public static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public Rgba Pixel(int x, int y) => Pixels[y * Width + x];

    public static DecodedPng Decode(byte[] png)
    {
        Assert.Equal(Signature, png[..8]);
        using var codec = SKCodec.Create(new MemoryStream(png));
        Assert.NotNull(codec);
        Assert.Equal(SKEncodedImageFormat.Png, codec.EncodedFormat);
        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        var pixels = new Rgba[bitmap.Width * bitmap.Height];
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                pixels[y * bitmap.Width + x] = new Rgba(c.Red, c.Green, c.Blue, c.Alpha);
            }
        return new DecodedPng(bitmap.Width, bitmap.Height, pixels);
    }

    /// <summary>Pixels whose colour is within <paramref name="tolerance"/> (sum of channel differences) of c.</summary>
    public IEnumerable<(int X, int Y)> Near(Rgba c, int tolerance = 0)
    {
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                if (Distance(Pixel(x, y), c) <= tolerance) yield return (x, y);
    }

    public static int Distance(Rgba a, Rgba b) => Math.Abs(a.R - b.R) + Math.Abs(a.G - b.G) + Math.Abs(a.B - b.B);
}
