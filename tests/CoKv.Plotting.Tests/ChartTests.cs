using CoKv.Plotting;

namespace CoKv.Tests;

public class ChartTests
{
    static int ColorDistance(Rgba a, Rgba b) => DecodedPng.Distance(a, b);

    // Anti-aliased lines reach their full colour only near their centre; this much off still reads as that colour.
    const int SameColour = 40;

    [Fact]
    public void LineOfYEqualsXRunsAlongTheDiagonalOfTheDataArea()
    {
        const int width = 800, height = 500;
        var chart = new LineChart { Title = "identity", XLabel = "x", YLabel = "y", ShowLegend = false }
            .Add("y = x", Enumerable.Range(0, 11).Select(i => ((double)i, (double)i)));
        var png = DecodedPng.Decode(chart.ToPng(width, height));
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
                if (d <= 1.5 && ColorDistance(p, color) <= SameColour) near++;
                if (d > 6) Assert.True(ColorDistance(p, color) > 120, $"series-coloured pixel {p} at ({x}, {y}), {d:F1} px off the line");
            }
        double diagonalLength = Math.Sqrt(area.Width * area.Width + area.Height * area.Height);
        Assert.True(near >= 0.9 * diagonalLength, $"only {near} series pixels along a {diagonalLength:F0} px diagonal");
    }

    [Fact]
    public void LegendGoesWhereTheLineIsNot()
    {
        var chart = new LineChart().Add("rising", Enumerable.Range(0, 11).Select(i => ((double)i, (double)i)));
        var png = DecodedPng.Decode(chart.ToPng());
        var area = chart.DataArea();
        var color = Palette.Series[0];

        // Series-coloured pixels off the line can only be the legend's sample. y = x leaves the top-left and
        // bottom-right corners empty, so the sample must be in one of those, not where the line runs.
        var sample = new List<(int X, int Y)>();
        for (int y = 0; y < png.Height; y++)
            for (int x = 0; x < png.Width; x++)
                if (ColorDistance(png.Pixel(x, y), color) <= SameColour && CanvasTests.DistanceToSegment(x + 0.5, y + 0.5, area.X, area.Bottom, area.Right, area.Y) > 6)
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
        var png = DecodedPng.Decode(chart.ToPng());
        var area = chart.DataArea(); // inside it, so grey tick labels cannot pass for the grey reference line
        int reference = 0, first = 0;
        for (int y = area.Y; y < area.Bottom; y++)
            for (int x = area.X; x < area.Right; x++)
            {
                var p = png.Pixel(x, y);
                if (ColorDistance(p, Palette.Reference) <= SameColour) reference++;
                if (ColorDistance(p, Palette.Series[0]) <= SameColour) first++;
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
        var png = DecodedPng.Decode(heatmap.ToPng());

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

    /// <summary>Dark grey or black pixels (text, and the anti-aliased edges of text) in a region of the image.</summary>
    static int TextPixels(DecodedPng png, int x0, int y0, int x1, int y1)
    {
        int n = 0;
        for (int y = Math.Max(0, y0); y < Math.Min(png.Height, y1); y++)
            for (int x = Math.Max(0, x0); x < Math.Min(png.Width, x1); x++)
            {
                var p = png.Pixel(x, y);
                if (p.Luma < 0.5 && Math.Max(p.R, Math.Max(p.G, p.B)) - Math.Min(p.R, Math.Min(p.G, p.B)) < 16) n++;
            }
        return n;
    }

    [Fact]
    public void TitleAxisLabelsAndTickLabelsAreWritten()
    {
        LineChart Chart(string title, string xLabel) =>
            new LineChart { Title = title, XLabel = xLabel, YLabel = "score", ShowLegend = false }
                .Add("a", Enumerable.Range(0, 11).Select(i => ((double)i, (double)i)));
        var labelled = Chart("score vs budget: single-needle", "mean budget per KV head (tokens)");
        var bare = Chart("", "");
        var withText = DecodedPng.Decode(labelled.ToPng());
        var without = DecodedPng.Decode(bare.ToPng());
        var area = labelled.DataArea();

        // The title is centred above the plot; the y label sits at the left, so the middle third holds only the title.
        int titleBand = area.Y - 25;
        Assert.True(TextPixels(withText, 300, 0, 600, titleBand) > 150, "no title drawn");
        Assert.Equal(0, TextPixels(without, 300, 0, 600, bare.DataArea().Y - 25));

        // The x label is written below the tick labels, centred under the plot.
        Assert.True(TextPixels(withText, 300, withText.Height - 30, 600, withText.Height) > 150, "no x label drawn");
        Assert.Equal(0, TextPixels(without, 300, without.Height - 12, 600, without.Height));

        // Tick labels 0 … 10 left of the y axis and below the x axis, on both charts.
        foreach (var (png, chart) in new[] { (withText, labelled), (without, bare) })
        {
            var a = chart.DataArea();
            Assert.True(TextPixels(png, 0, a.Y - 10, a.X - 15, a.Bottom + 10) > 100, "no y tick labels");
            Assert.True(TextPixels(png, a.X - 20, a.Bottom + 15, a.Right + 20, a.Bottom + 40) > 100, "no x tick labels");
        }
    }

    [Fact]
    public void HeatmapWritesEachValueInItsCellInAColourThatStandsOut()
    {
        var heatmap = new Heatmap(new double[,] { { 10, 200 }, { 300, 999 } }) { Title = "budgets", ColorBarLabel = "tokens" };
        var png = DecodedPng.Decode(heatmap.ToPng());
        foreach (var (r, c) in new[] { (0, 0), (0, 1), (1, 0), (1, 1) })
        {
            var cell = heatmap.CellBounds(r, c);
            var fill = png.Pixel(cell.X + 1, cell.Y + 1);
            var text = fill.Luma > 0.5 ? Palette.Text : Rgba.White;
            int written = 0, stray = 0;
            for (int y = cell.Y; y < cell.Bottom; y++)
                for (int x = cell.X; x < cell.Right; x++)
                {
                    int d = ColorDistance(png.Pixel(x, y), text);
                    bool inMiddle = Math.Abs(x - (cell.X + cell.Width / 2)) < cell.Width / 4 && Math.Abs(y - (cell.Y + cell.Height / 2)) < cell.Height / 4;
                    if (d < 60) { if (inMiddle) written++; else stray++; }
                }
            Assert.True(written > 20, $"cell ({r}, {c}): {written} text pixels");
            Assert.Equal(0, stray);
        }
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
