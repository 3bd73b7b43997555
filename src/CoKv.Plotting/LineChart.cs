namespace CoKv.Plotting;

/// <summary>
/// Lines over a shared x axis (linear or powers of two), drawn to PNG: for example decode ms/token against
/// context length with one line per budget, or score against budget with one line per policy.
/// </summary>
public sealed class LineChart
{
    const int Pad = 14;
    const int TickLength = 5;
    const int Inset = 10; // keeps points at the ends of the axis range off the axis lines
    const double LineWidth = 2;
    const double MarkerRadius = 3;

    readonly List<LineSeries> _series = [];

    public string Title { get; set; } = "";
    public string XLabel { get; set; } = "";

    /// <summary>Written horizontally above the y axis, where it can be read without turning one's head.</summary>
    public string YLabel { get; set; } = "";

    /// <summary>Powers-of-two x axis, for context lengths 512 … 16384 or budgets; all x must then be positive.</summary>
    public bool LogX2 { get; set; }

    /// <summary>Starts the y axis at zero (when the data is positive), so differences are not exaggerated.</summary>
    public bool YFromZero { get; set; } = true;

    /// <summary>Fix an end of the y axis instead of fitting the data (e.g. 0 … 1 for scores); ticks stay nice.</summary>
    public double? YMin { get; set; }
    public double? YMax { get; set; }

    public bool ShowLegend { get; set; } = true;
    public bool ShowMarkers { get; set; } = true;

    public IReadOnlyList<LineSeries> Series => _series;

    public LineChart Add(LineSeries series)
    {
        _series.Add(series);
        return this;
    }

    public LineChart Add(string name, IEnumerable<(double X, double Y)> points, bool dashed = false, Rgba? color = null) =>
        Add(new LineSeries(name, points.ToArray()) { Dashed = dashed, Color = color });

    /// <summary>
    /// Where the axis ranges land for a chart of this size: the x axis minimum maps to its left edge, the maximum
    /// to its right edge, and y likewise from bottom to top.
    /// </summary>
    public PixelRect DataArea(int width = 900, int height = 560) => Layout(width, height).Data;

    public byte[] ToPng(int width = 900, int height = 560)
    {
        using var canvas = Render(width, height);
        return canvas.ToPng();
    }

    public void Save(string path, int width = 900, int height = 560) => FileOutput.Write(path, ToPng(width, height));

    /// <summary>The chart as a canvas, for a caller that reads pixels; it holds native memory, so dispose it.</summary>
    public Canvas Render(int width = 900, int height = 560)
    {
        var layout = Layout(width, height);
        var canvas = new Canvas(width, height);
        DrawAxes(canvas, layout);

        var colors = SeriesColors();
        canvas.Clip = layout.Plot;
        for (int i = 0; i < _series.Count; i++)
            DrawSeries(canvas, layout, _series[i], colors[i]);
        canvas.Clip = null;

        if (ShowLegend && _series.Count > 0)
            DrawLegend(canvas, layout, colors);
        DrawLabels(canvas, layout);
        return canvas;
    }

    sealed record ChartLayout(float TextSize, int TextHeight, PixelRect Plot, PixelRect Data, AxisScale X, AxisScale Y)
    {
        public double PixelX(double x) => Data.X + X.ToUnit(x) * Data.Width;
        public double PixelY(double y) => Data.Bottom - Y.ToUnit(y) * Data.Height;
    }

    ChartLayout Layout(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 200);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 150);
        float size = ChartHeader.TextSize(width, height);
        int textHeight = Canvas.MeasureText("0", size).Height;

        // Half a line more for the top tick label, which is centred on its tick.
        int top = Pad + ChartHeader.Height(Title, YLabel, size) + textHeight / 2;
        int bottom = Pad + TickLength + 4 + textHeight;
        if (XLabel.Length > 0) bottom += textHeight + 8;
        int plotHeight = height - top - bottom;

        var y = YScale(Math.Clamp(plotHeight / 60, 3, 9));
        int left = Pad + y.Ticks.Max(t => Canvas.MeasureText(y.Label(t), size).Width) + TickLength + 6;

        // The last x label is centred on the right end of the axis, so leave half of it as a right margin.
        var (xMin, xMax) = Range(p => p.X);
        int approxPlotWidth = width - left - 2 * Pad;
        int xTarget = Math.Clamp(approxPlotWidth / (int)(7 * size), 3, 10);
        var x = LogX2 ? AxisScale.PowersOfTwo(xMin ?? 1, xMax ?? 2) : AxisScale.Linear(xMin ?? 0, xMax ?? 1, xTarget);
        int right = Pad + Canvas.MeasureText(x.Label(x.Ticks[^1]), size).Width / 2;

        var plot = new PixelRect(left, top, width - left - right, plotHeight);
        if (plot.Width < 4 * Inset || plot.Height < 4 * Inset)
            throw new ArgumentException($"{width}x{height} leaves no room for the plot.");
        return new ChartLayout(size, textHeight, plot, plot.Inflate(-Inset), x, y);
    }

    AxisScale YScale(int target)
    {
        var (min, max) = Range(p => p.Y);
        double lo = YMin ?? min ?? 0, hi = YMax ?? max ?? 1;
        if (YFromZero && YMin is null && lo > 0) lo = 0;
        var scale = AxisScale.Linear(lo, hi, target);
        // Honour an explicit end exactly rather than the nice tick beyond it.
        if (YMin is not null || YMax is not null)
        {
            double a = YMin ?? scale.Min, b = YMax ?? scale.Max;
            scale = scale with { Min = a, Max = b, Ticks = scale.Ticks.Where(t => t >= a - 1e-12 && t <= b + 1e-12).ToArray() };
        }
        return scale;
    }

    (double? Min, double? Max) Range(Func<(double X, double Y), double> pick)
    {
        var values = _series.SelectMany(s => s.Points).Select(pick).Where(double.IsFinite).ToArray();
        return values.Length == 0 ? (null, null) : (values.Min(), values.Max());
    }

    Rgba[] SeriesColors()
    {
        var colors = new Rgba[_series.Count];
        int next = 0;
        bool referenceTaken = false;
        for (int i = 0; i < _series.Count; i++)
        {
            if (_series[i].Color is { } chosen) colors[i] = chosen;
            else if (_series[i].Dashed && !referenceTaken)
            {
                colors[i] = Palette.Reference;
                referenceTaken = true;
            }
            else colors[i] = Palette.Series[next++ % Palette.Series.Count];
        }
        return colors;
    }

    static void DrawAxes(Canvas canvas, ChartLayout layout)
    {
        var plot = layout.Plot;
        float size = layout.TextSize;
        foreach (var t in layout.Y.Ticks)
        {
            int py = (int)Math.Floor(layout.PixelY(t));
            canvas.FillRect(plot.X, py, plot.Width, 1, Palette.Grid);
            canvas.FillRect(plot.X - TickLength, py, TickLength, 1, Palette.Axis);
            canvas.DrawText(plot.X - TickLength - 4, py + 0.5, layout.Y.Label(t), Palette.Text, size, 1, 0.5);
        }

        int lastLabelRight = int.MinValue;
        foreach (var t in layout.X.Ticks)
        {
            int px = (int)Math.Floor(layout.PixelX(t));
            canvas.FillRect(px, plot.Y, 1, plot.Height, Palette.Grid);
            canvas.FillRect(px, plot.Bottom, 1, TickLength, Palette.Axis);
            // Skip a label that would run into the previous one rather than print both unreadably.
            string label = layout.X.Label(t);
            int w = Canvas.MeasureText(label, size).Width;
            if (px - w / 2 < lastLabelRight + size / 2) continue;
            canvas.DrawText(px + 0.5, plot.Bottom + TickLength + 3, label, Palette.Text, size, 0.5, 0);
            lastLabelRight = px - w / 2 + w;
        }

        canvas.FillRect(plot.X, plot.Y, 1, plot.Height + 1, Palette.Axis);
        canvas.FillRect(plot.X, plot.Bottom, plot.Width, 1, Palette.Axis);
    }

    void DrawSeries(Canvas canvas, ChartLayout layout, LineSeries series, Rgba color)
    {
        var pixels = series.Points
            .Select(p => double.IsFinite(p.X) && double.IsFinite(p.Y) ? (layout.PixelX(p.X), layout.PixelY(p.Y)) : (double.NaN, double.NaN))
            .ToArray();
        if (series.Dashed) canvas.DrawPolyline(pixels, color, LineWidth, dash: 9, gap: 6);
        else canvas.DrawPolyline(pixels, color, LineWidth);
        if (!ShowMarkers) return;
        foreach (var (x, y) in pixels)
            if (double.IsFinite(x)) canvas.FillCircle(x, y, MarkerRadius, color);
    }

    void DrawLegend(Canvas canvas, ChartLayout layout, Rgba[] colors)
    {
        float size = layout.TextSize;
        const int sample = 28, gap = 8, margin = 8, rowGap = 3;
        int rowHeight = layout.TextHeight + rowGap;
        int nameWidth = _series.Max(s => Canvas.MeasureText(s.Name, size).Width);
        int boxWidth = margin + sample + gap + nameWidth + margin;
        int boxHeight = margin + rowHeight * _series.Count - rowGap + margin;

        var plot = layout.Plot;
        var box = BestCorner(canvas, plot.Inflate(-8), boxWidth, boxHeight);
        canvas.FillRect(box, Rgba.White);
        canvas.DrawRect(box, Rgba.FromRgb(0xBBBBBB));
        for (int i = 0; i < _series.Count; i++)
        {
            int rowTop = box.Y + margin + i * rowHeight;
            double mid = rowTop + layout.TextHeight * 0.5;
            double x0 = box.X + margin, x1 = x0 + sample;
            var line = new[] { (x0, mid), (x1, mid) };
            if (_series[i].Dashed) canvas.DrawPolyline(line, colors[i], LineWidth, dash: 9, gap: 6);
            else canvas.DrawPolyline(line, colors[i], LineWidth);
            if (ShowMarkers) canvas.FillCircle((x0 + x1) / 2, mid, MarkerRadius, colors[i]);
            canvas.DrawText(x1 + gap, rowTop, _series[i].Name, Palette.Text, size);
        }
    }

    /// <summary>
    /// The corner of the plot where the legend would hide the fewest drawn series pixels; checked on the
    /// finished lines, so it adapts to whatever shape the data has.
    /// </summary>
    static PixelRect BestCorner(Canvas canvas, PixelRect area, int w, int h)
    {
        PixelRect[] corners =
        [
            new(area.Right - w, area.Y, w, h),        // top right first: the usual place
            new(area.X, area.Y, w, h),
            new(area.Right - w, area.Bottom - h, w, h),
            new(area.X, area.Bottom - h, w, h),
        ];
        return corners.MinBy(c => InkCount(canvas, c));
    }

    static int InkCount(Canvas canvas, PixelRect rect)
    {
        rect = rect.Intersect(new PixelRect(0, 0, canvas.Width, canvas.Height));
        int ink = 0;
        for (int y = rect.Y; y < rect.Bottom; y++)
            for (int x = rect.X; x < rect.Right; x++)
            {
                var p = canvas.GetPixel(x, y);
                if (p != Rgba.White && p != Palette.Grid && p != Palette.Axis) ink++;
            }
        return ink;
    }

    void DrawLabels(Canvas canvas, ChartLayout layout)
    {
        ChartHeader.Draw(canvas, Title, YLabel, layout.TextSize, Pad);
        if (XLabel.Length > 0)
            canvas.DrawText(layout.Plot.X + layout.Plot.Width / 2.0, canvas.Height - Pad - layout.TextHeight, XLabel, Palette.Text, layout.TextSize, 0.5, 0);
    }
}
