using CoKv.Plotting;

namespace CoKv.Tests;

public class CanvasTests
{
    static readonly Rgba Ink = Rgba.FromRgb(0x102030);

    static List<(int X, int Y)> Inked(Canvas canvas, Func<Rgba, bool> isInk)
    {
        var found = new List<(int, int)>();
        for (int y = 0; y < canvas.Height; y++)
            for (int x = 0; x < canvas.Width; x++)
                if (isInk(canvas.GetPixel(x, y))) found.Add((x, y));
        return found;
    }

    [Theory]
    [InlineData("Hello, world 123", 1)]
    [InlineData("ms/token (p50)", 2)]
    [InlineData("Wgjpqy_", 3)]
    public void TextStaysInsideItsMeasuredBoxAndFillsIt(string text, int scale)
    {
        var canvas = new Canvas(300, 80);
        const int left = 17, top = 11;
        canvas.DrawText(left, top, text, Ink, scale);
        var (w, h) = Canvas.MeasureText(text, scale);

        var inked = Inked(canvas, p => p == Ink);
        Assert.NotEmpty(inked);
        Assert.All(inked, p => Assert.True(p.X >= left && p.X < left + w && p.Y >= top && p.Y < top + h, $"pixel {p} outside the text box"));
        // Ink starts in the first glyph's cell and reaches into the last one's.
        Assert.InRange(inked.Min(p => p.X), left, left + 5 * scale - 1);
        Assert.InRange(inked.Max(p => p.X), left + w - 5 * scale, left + w - 1);
    }

    [Fact]
    public void EveryPrintableAsciiCharacterHasAGlyph()
    {
        for (char c = '!'; c <= '~'; c++)
        {
            var canvas = new Canvas(8, 10);
            canvas.DrawText(1, 1, c.ToString(), Ink);
            Assert.True(Inked(canvas, p => p == Ink).Count > 0, $"'{c}' draws nothing");
        }
    }

    [Fact]
    public void DistinctCharactersHaveDistinctGlyphs()
    {
        var shapes = new Dictionary<string, char>();
        for (char c = ' '; c <= '~'; c++)
        {
            var canvas = new Canvas(6, 8);
            canvas.DrawText(0, 0, c.ToString(), Ink);
            string key = string.Join(";", Inked(canvas, p => p == Ink));
            Assert.False(shapes.TryGetValue(key, out var twin), $"'{c}' looks exactly like '{twin}'");
            shapes[key] = c;
        }
    }

    [Fact]
    public void WideLineCoversItsPathAndNothingFarFromIt()
    {
        var canvas = new Canvas(120, 90);
        canvas.DrawLine(10.5, 80.5, 110.5, 20.5, Ink, width: 2);

        // Along the segment, the pixel under the centre line is fully inked.
        for (double t = 0; t <= 1; t += 0.05)
        {
            int x = (int)(10.5 + t * 100), y = (int)(80.5 - t * 60);
            Assert.Equal(Ink, canvas.GetPixel(x, y));
        }
        // Anything touched lies within a pixel and a half of the segment.
        foreach (var (x, y) in Inked(canvas, p => p != Rgba.White))
            Assert.True(DistanceToSegment(x + 0.5, y + 0.5, 10.5, 80.5, 110.5, 20.5) < 2.5, $"stray pixel at ({x}, {y})");
    }

    [Fact]
    public void DashedLineLeavesGaps()
    {
        var solid = new Canvas(200, 20);
        solid.DrawPolyline([(10, 10.5), (190, 10.5)], Ink, 2);
        var dashed = new Canvas(200, 20);
        dashed.DrawPolyline([(10, 10.5), (100, 10.5), (190, 10.5)], Ink, 2, dash: 9, gap: 6);

        int solidCount = Inked(solid, p => p == Ink).Count, dashedCount = Inked(dashed, p => p == Ink).Count;
        Assert.InRange(dashedCount, solidCount * 0.4, solidCount * 0.8);
        var row = Enumerable.Range(12, 176).Select(x => dashed.GetPixel(x, 10) == Ink).ToArray();
        Assert.Contains(false, row);
        Assert.Contains(true, row);
    }

    [Fact]
    public void ClipKeepsDrawingInside()
    {
        var canvas = new Canvas(50, 50) { Clip = new PixelRect(10, 10, 20, 20) };
        canvas.DrawLine(0, 0, 50, 50, Ink, 3);
        canvas.FillRect(0, 0, 50, 5, Ink);
        Assert.All(Inked(canvas, p => p != Rgba.White), p => Assert.True(new PixelRect(10, 10, 20, 20).Contains(p.X, p.Y)));
    }

    internal static double DistanceToSegment(double px, double py, double x0, double y0, double x1, double y1)
    {
        double dx = x1 - x0, dy = y1 - y0;
        double t = Math.Clamp(((px - x0) * dx + (py - y0) * dy) / (dx * dx + dy * dy), 0, 1);
        return Math.Sqrt(Math.Pow(px - x0 - t * dx, 2) + Math.Pow(py - y0 - t * dy, 2));
    }
}
