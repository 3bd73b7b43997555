using SkiaSharp;

namespace CoKv.Plotting;

/// <summary>
/// DejaVu Sans, read from this assembly rather than the system: a machine without fonts still gets labelled charts,
/// and every machine lays text out the same way. Bold titles use Skia's synthetic emboldening, so one file suffices.
/// </summary>
internal static class ChartFont
{
    const string Resource = "CoKv.Plotting.DejaVuSans.ttf";

    static readonly Lazy<SKTypeface> Face = new(Load);

    public static SKTypeface Typeface => Face.Value;

    public static SKFont Create(float size, bool bold = false) => new(Typeface, size)
    {
        Edging = SKFontEdging.Antialias,
        Subpixel = true,
        Embolden = bold,
    };

    static SKTypeface Load()
    {
        using var stream = typeof(ChartFont).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"The embedded font {Resource} is missing from {typeof(ChartFont).Assembly.GetName().Name}.");
        using var data = SKData.Create(stream);
        var face = SKTypeface.FromData(data);
        if (face is null || face.GlyphCount == 0)
            throw new InvalidOperationException($"SkiaSharp could not read the embedded font {Resource}.");
        return face;
    }
}
