using CoKv.Plotting;

namespace CoKv.Tests;

public class CanvasTests
{
    static readonly Rgba Ink = Rgba.FromRgb(0x102030);

    /// <summary>Pixels visibly changed from the white background (anti-aliased edges included).</summary>
    static List<(int X, int Y)> Touched(Canvas canvas, int threshold = 24)
    {
        var found = new List<(int, int)>();
        for (int y = 0; y < canvas.Height; y++)
            for (int x = 0; x < canvas.Width; x++)
                if (DecodedPng.Distance(canvas.GetPixel(x, y), Rgba.White) > threshold) found.Add((x, y));
        return found;
    }

    /// <summary>Pixels at least two thirds of the way from white to the ink: the body of a stroke, not its fringe.</summary>
    static List<(int X, int Y)> Inked(Canvas canvas) =>
        Touched(canvas, 2 * DecodedPng.Distance(Ink, Rgba.White) / 3);

    [Fact]
    public void TheEmbeddedTypefaceIsDejaVuSans()
    {
        Assert.Equal("DejaVu Sans", ChartFont.Typeface.FamilyName);
        Assert.True(ChartFont.Typeface.GlyphCount > 1000, $"{ChartFont.Typeface.GlyphCount} glyphs");
    }

    [Theory]
    [InlineData("Hello, world 123", 11f)]
    [InlineData("ms/token (p50)", 15f)]
    [InlineData("Wgjpqy_", 24f)]
    public void TextIsDrawnInsideItsMeasuredBoxAndSpansIt(string text, float size)
    {
        using var canvas = new Canvas(400, 100);
        const int left = 17, top = 11;
        canvas.DrawText(left, top, text, Ink, size);
        var (w, h) = Canvas.MeasureText(text, size);

        var touched = Touched(canvas);
        Assert.True(touched.Count > text.Length * size / 2, $"only {touched.Count} pixels of ink for '{text}' at {size} px");
        Assert.True(Inked(canvas).Count > 0, "no pixel is dark: text drawn as a faint smudge");
        // Glyph outlines may overhang their advance by a pixel or two (anti-aliasing, side bearings).
        int slack = 2 + (int)(size / 10);
        Assert.All(touched, p => Assert.True(p.X >= left - slack && p.X < left + w + slack && p.Y >= top - 1 && p.Y < top + h + 1,
            $"pixel {p} outside the {w}x{h} text box at ({left}, {top})"));
        Assert.InRange(touched.Min(p => p.X), left - slack, left + size);
        Assert.InRange(touched.Max(p => p.X), left + w - size, left + w + slack);
    }

    [Fact]
    public void TextGrowsWithItsSize()
    {
        var (w11, h11) = Canvas.MeasureText("budget 512", 11);
        var (w22, h22) = Canvas.MeasureText("budget 512", 22);
        Assert.InRange(w22, 2 * w11 - 3, 2 * w11 + 3);
        Assert.InRange(h22, 2 * h11 - 3, 2 * h11 + 3);
        Assert.True(Canvas.MeasureText("budget 512", 15, bold: true).Width > Canvas.MeasureText("budget 512", 15).Width - 1);
    }

    [Fact]
    public void EveryPrintableAsciiCharacterDrawsADistinctGlyph()
    {
        var shapes = new Dictionary<string, char>();
        for (char c = '!'; c <= '~'; c++)
        {
            using var canvas = new Canvas(24, 28);
            canvas.DrawText(4, 2, c.ToString(), Ink, 20);
            var touched = Touched(canvas);
            Assert.True(touched.Count > 0, $"'{c}' draws nothing");
            // The rendered bytes, not just the inked set: anti-aliasing keeps near-twins such as 'l' and '|' apart.
            string key = string.Join(";", touched.Select(p => $"{p}{canvas.GetPixel(p.X, p.Y)}"));
            Assert.False(shapes.TryGetValue(key, out var twin), $"'{c}' looks exactly like '{twin}'");
            shapes[key] = c;
        }
    }

    [Fact]
    public void WideLineCoversItsPathAndNothingFarFromIt()
    {
        using var canvas = new Canvas(120, 90);
        canvas.DrawLine(10.5, 80.5, 110.5, 20.5, Ink, width: 2);

        // Along the segment, the pixel under the centre line is dark.
        int inkDistance = DecodedPng.Distance(Ink, Rgba.White);
        for (double t = 0; t <= 1; t += 0.05)
        {
            int x = (int)(10.5 + t * 100), y = (int)(80.5 - t * 60);
            Assert.True(DecodedPng.Distance(canvas.GetPixel(x, y), Ink) < inkDistance / 3, $"({x}, {y}) is {canvas.GetPixel(x, y)}");
        }
        // Anything touched lies within a pixel and a half of the segment.
        foreach (var (x, y) in Touched(canvas, threshold: 0))
            Assert.True(DistanceToSegment(x + 0.5, y + 0.5, 10.5, 80.5, 110.5, 20.5) < 2.5, $"stray pixel at ({x}, {y})");
    }

    [Fact]
    public void DashedLineLeavesGaps()
    {
        using var solid = new Canvas(200, 20);
        solid.DrawPolyline([(10, 10), (190, 10)], Ink, 2);
        using var dashed = new Canvas(200, 20);
        dashed.DrawPolyline([(10, 10), (100, 10), (190, 10)], Ink, 2, dash: 9, gap: 6);

        int solidCount = Inked(solid).Count, dashedCount = Inked(dashed).Count;
        Assert.InRange(dashedCount, solidCount * 0.4, solidCount * 0.8);
        var row = Enumerable.Range(12, 176).Select(x => DecodedPng.Distance(dashed.GetPixel(x, 9), Ink) < 30).ToArray();
        Assert.Contains(false, row);
        Assert.Contains(true, row);
    }

    [Fact]
    public void NonFiniteDataBreaksThePolyline()
    {
        using var canvas = new Canvas(200, 20);
        canvas.DrawPolyline([(10, 10), (60, 10), (double.NaN, 10), (140, 10), (190, 10)], Ink, 2);
        Assert.All(Enumerable.Range(70, 60), x => Assert.Equal(Rgba.White, canvas.GetPixel(x, 9)));
        Assert.True(DecodedPng.Distance(canvas.GetPixel(30, 9), Ink) < 30);
        Assert.True(DecodedPng.Distance(canvas.GetPixel(170, 9), Ink) < 30);
    }

    [Fact]
    public void ClipKeepsDrawingInside()
    {
        using var canvas = new Canvas(50, 50) { Clip = new PixelRect(10, 10, 20, 20) };
        canvas.DrawLine(0, 0, 50, 50, Ink, 3);
        canvas.FillRect(0, 0, 50, 15, Ink);
        Assert.All(Touched(canvas, threshold: 0), p => Assert.True(new PixelRect(10, 10, 20, 20).Contains(p.X, p.Y), $"{p}"));
        canvas.Clip = null;
        canvas.FillRect(0, 0, 5, 5, Ink);
        Assert.Equal(Ink, canvas.GetPixel(2, 2));
    }

    internal static double DistanceToSegment(double px, double py, double x0, double y0, double x1, double y1)
    {
        double dx = x1 - x0, dy = y1 - y0;
        double t = Math.Clamp(((px - x0) * dx + (py - y0) * dy) / (dx * dx + dy * dy), 0, 1);
        return Math.Sqrt(Math.Pow(px - x0 - t * dx, 2) + Math.Pow(py - y0 - t * dy, 2));
    }
}
