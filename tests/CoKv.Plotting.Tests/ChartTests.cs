using CoKv.Plotting;

namespace CoKv.Tests;

public class ChartTests
{
    static int ColorDistance(Rgba a, Rgba b) => Math.Abs(a.R - b.R) + Math.Abs(a.G - b.G) + Math.Abs(a.B - b.B);

    [Fact]
    public void LineOfYEqualsXRunsAlongTheDiagonalOfTheDataArea()
    {
        const int width = 800, height = 500;
        var chart = new LineChart { Title = "identity", XLabel = "x", YLabel = "y", ShowLegend = false }
            .Add("y = x", Enumerable.Range(0, 11).Select(i => ((double)i, (double)i)));
        var png = PngTestDecoder.Decode(chart.ToPng(width, height));
        var area = chart.DataArea(width, height);
        var color = Palette.Series[0];

        // The axes run 0..10 on both sides, so the line goes from the bottom-left to the top-right corner of the area.
        double x0 = area.X, y0 = area.Bottom, x1 = area.Right, y1 = area.Y;
        int near = 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var p = png.Pixel(x, y);
                double d = CanvasTests.DistanceToSegment(x + 0.5, y + 0.5, x0, y0, x1, y1);
                if (d <= 1.5 && p == color) near++;
                if (d > 6) Assert.True(ColorDistance(p, color) > 120, $"series-coloured pixel {p} at ({x}, {y}), {d:F1} px off the line");
            }
        double diagonalLength = Math.Sqrt(area.Width * area.Width + area.Height * area.Height);
        Assert.True(near >= 0.9 * diagonalLength, $"only {near} series pixels along a {diagonalLength:F0} px diagonal");
    }

    [Fact]
    public void LegendGoesWhereTheLineIsNot()
    {
        var chart = new LineChart().Add("rising", Enumerable.Range(0, 11).Select(i => ((double)i, (double)i)));
        var png = PngTestDecoder.Decode(chart.ToPng());
        var area = chart.DataArea();
        var color = Palette.Series[0];

        // Series-coloured pixels off the line can only be the legend's sample. y = x leaves the top-left and
        // bottom-right corners empty, so the sample must be in one of those, not where the line runs.
        var sample = new List<(int X, int Y)>();
        for (int y = 0; y < png.Height; y++)
            for (int x = 0; x < png.Width; x++)
                if (png.Pixel(x, y) == color && CanvasTests.DistanceToSegment(x + 0.5, y + 0.5, area.X, area.Bottom, area.Right, area.Y) > 6)
                    sample.Add((x, y));
        Assert.NotEmpty(sample);
        int midX = area.X + area.Width / 2, midY = area.Y + area.Height / 2;
        bool topLeft = sample.All(p => p.X < midX && p.Y < midY), bottomRight = sample.All(p => p.X > midX && p.Y > midY);
        Assert.True(topLeft || bottomRight, $"legend sample spans {sample.Min(p => p.X)}..{sample.Max(p => p.X)} x {sample.Min(p => p.Y)}..{sample.Max(p => p.Y)}");
    }

    [Fact]
    public void DashedReferenceSeriesIsDrawnInTheReferenceColour()
    {
        var chart = new LineChart { ShowLegend = false, ShowMarkers = false }
            .Add("budget 512", [(512.0, 1.0), (16384.0, 1.2)])
            .Add("full cache", [(512.0, 2.0), (16384.0, 6.0)], dashed: true);
        chart.LogX2 = true;
        var png = PngTestDecoder.Decode(chart.ToPng());
        int reference = 0, first = 0;
        for (int i = 0; i < png.Rgba.Length; i += 4)
        {
            var p = new Rgba(png.Rgba[i], png.Rgba[i + 1], png.Rgba[i + 2]);
            if (p == Palette.Reference) reference++;
            if (p == Palette.Series[0]) first++;
        }
        Assert.True(reference > 100, $"{reference} reference pixels");
        Assert.True(first > 100, $"{first} pixels of the first palette colour");
    }

    [Fact]
    public void HeatmapExtremesTakeTheEndsOfTheColourScale()
    {
        var values = new double[12, 8];
        for (int r = 0; r < 12; r++)
            for (int c = 0; c < 8; c++)
                values[r, c] = 64 + ((r * 8 + c) * 37) % 200;
        values[3, 5] = 1024; // max
        values[9, 1] = 16;   // min
        var heatmap = new Heatmap(values) { Title = "budgets" };
        var png = PngTestDecoder.Decode(heatmap.ToPng());

        Rgba CellCorner(int r, int c)
        {
            var cell = heatmap.CellBounds(r, c); // sample near a corner, away from the printed number
            return png.Pixel(cell.X + 1, cell.Y + 1);
        }
        Assert.Equal(ColorScale.Viridis.Top, CellCorner(3, 5));
        Assert.Equal(ColorScale.Viridis.Bottom, CellCorner(9, 1));
        var middle = CellCorner(0, 0);
        Assert.NotEqual(ColorScale.Viridis.Top, middle);
        Assert.NotEqual(ColorScale.Viridis.Bottom, middle);
    }

    [Fact]
    public void HeatmapCellsTileWithoutOverlap()
    {
        var heatmap = new Heatmap(new double[32, 8]);
        var cells = Enumerable.Range(0, 32).SelectMany(r => Enumerable.Range(0, 8).Select(c => heatmap.CellBounds(r, c))).ToArray();
        Assert.All(cells, c => Assert.True(c.Width > 0 && c.Height > 0 && c.X >= 0 && c.Bottom <= 560 && c.Right <= 900));
        for (int i = 0; i < cells.Length; i++)
            for (int j = i + 1; j < cells.Length; j++)
                Assert.Equal(0, cells[i].Intersect(cells[j]).Width * cells[i].Intersect(cells[j]).Height);
    }

    [Fact]
    public void ColourScaleInterpolatesBetweenItsEnds()
    {
        var scale = new ColorScale(Rgba.Black, Rgba.White);
        Assert.Equal(Rgba.Black, scale.At(0));
        Assert.Equal(Rgba.White, scale.At(1));
        Assert.Equal(new Rgba(128, 128, 128), scale.At(0.5));
        Assert.Equal(Rgba.White, scale.At(7)); // clamped
    }
}
