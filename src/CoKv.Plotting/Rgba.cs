using SkiaSharp;

namespace CoKv.Plotting;

/// <summary>One 8-bit-per-channel colour, straight (not premultiplied) alpha.</summary>
public readonly record struct Rgba(byte R, byte G, byte B, byte A = 255)
{
    public static Rgba White { get; } = new(255, 255, 255);
    public static Rgba Black { get; } = new(0, 0, 0);
    public static Rgba Transparent { get; } = new(0, 0, 0, 0);

    /// <summary>From 0xRRGGBB, opaque.</summary>
    public static Rgba FromRgb(uint rgb) => new((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb);

    /// <summary>Straight per-channel interpolation; t is clamped to [0, 1].</summary>
    public static Rgba Lerp(Rgba a, Rgba b, double t)
    {
        t = Math.Clamp(t, 0, 1);
        return new(Mix(a.R, b.R, t), Mix(a.G, b.G, t), Mix(a.B, b.B, t), Mix(a.A, b.A, t));
    }

    /// <summary>Rec. 709 luma in [0, 1]: enough to pick black or white text over a fill.</summary>
    public double Luma => (0.2126 * R + 0.7152 * G + 0.0722 * B) / 255.0;

    public override string ToString() => A == 255 ? $"#{R:X2}{G:X2}{B:X2}" : $"#{R:X2}{G:X2}{B:X2}{A:X2}";

    internal SKColor ToSk() => new(R, G, B, A);

    internal static Rgba From(SKColor c) => new(c.Red, c.Green, c.Blue, c.Alpha);

    static byte Mix(byte a, byte b, double t) => (byte)Math.Round(a + (b - a) * t);
}
