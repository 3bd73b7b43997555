using System.Globalization;

namespace CoKv.Plotting;

/// <summary>
/// A matrix of values as coloured cells, e.g. the KV budget of each layer (rows) and KV head (columns),
/// with a colour bar for the scale and the number written in each cell where it fits.
/// </summary>
public sealed class Heatmap
{
    const int Pad = 14;
    const int BarWidth = 18;
    const float SmallestValueText = 8;

    readonly double[,] _values;

    public Heatmap(double[,] values)
    {
        if (values.GetLength(0) == 0 || values.GetLength(1) == 0)
            throw new ArgumentException("A heatmap needs at least one row and one column.", nameof(values));
        _values = (double[,])values.Clone();
    }

    public int Rows => _values.GetLength(0);
    public int Columns => _values.GetLength(1);

    public string Title { get; set; } = "";
    public string XLabel { get; set; } = "KV head";

    /// <summary>Written horizontally above the row labels.</summary>
    public string YLabel { get; set; } = "layer";

    /// <summary>Named beside the colour bar (e.g. "tokens").</summary>
    public string ColorBarLabel { get; set; } = "";

    /// <summary>Null numbers them 0, 1, 2 …; when rows are too short for every label, only every k-th is written.</summary>
    public IReadOnlyList<string>? RowLabels { get; set; }
    public IReadOnlyList<string>? ColumnLabels { get; set; }

    public ColorScale Scale { get; set; } = ColorScale.Viridis;

    /// <summary>Ends of the colour scale; null takes the data's own minimum and maximum.</summary>
    public double? Min { get; set; }
    public double? Max { get; set; }

    /// <summary>Writes each value in its cell when the cell is big enough to hold it.</summary>
    public bool ShowValues { get; set; } = true;

    /// <summary>Null prints whole numbers as such and others to 3 significant digits.</summary>
    public Func<double, string>? ValueFormat { get; set; }

    /// <summary>Where cell (row, col) is drawn in a chart of this size, including its 1 px gap when cells are large.</summary>
    public PixelRect CellBounds(int row, int col, int width = 900, int height = 560)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfNegative(col);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(col, Columns);
        return Layout(width, height).Cell(row, col);
    }

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
        var (lo, hi) = ValueRange();
        var format = ValueFormat ?? DefaultFormat();

        for (int r = 0; r < Rows; r++)
            for (int c = 0; c < Columns; c++)
            {
                var cell = layout.Cell(r, c);
                double v = _values[r, c];
                if (double.IsNaN(v))
                {
                    canvas.FillRect(cell, Rgba.FromRgb(0xD0D0D0));
                    continue;
                }
                var fill = Scale.At(hi == lo ? 0.5 : (v - lo) / (hi - lo));
                canvas.FillRect(cell, fill);
                if (!ShowValues) continue;
                string text = format(v);
                // The label size where it fits with a little room, else a smaller one, else nothing.
                for (float size = layout.TextSize; size >= SmallestValueText; size -= 1)
                {
                    var (tw, th) = Canvas.MeasureText(text, size);
                    if (tw + 6 > cell.Width || th > cell.Height) continue;
                    canvas.DrawText(cell.X + cell.Width / 2.0, cell.Y + cell.Height / 2.0, text,
                        fill.Luma > 0.5 ? Palette.Text : Rgba.White, size, 0.5, 0.5);
                    break;
                }
            }

        DrawAxisLabels(canvas, layout);
        DrawColorBar(canvas, layout, lo, hi, format);
        DrawTitles(canvas, layout);
        return canvas;
    }

    sealed record HeatmapLayout(float TextSize, int TextHeight, PixelRect Grid, int CellWidth, int CellHeight, int Gap, PixelRect Bar)
    {
        public PixelRect Cell(int row, int col) =>
            new(Grid.X + col * CellWidth, Grid.Y + row * CellHeight, CellWidth - Gap, CellHeight - Gap);
    }

    HeatmapLayout Layout(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 200);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 150);
        float size = ChartHeader.TextSize(width, height);
        int textHeight = Canvas.MeasureText("0", size).Height;

        int top = Pad + ChartHeader.Height(Title, YLabel, size);
        int bottom = Pad + textHeight + 4 + (XLabel.Length > 0 ? textHeight + 6 : 0);
        int left = Pad + RowLabelList().Max(l => Canvas.MeasureText(l, size).Width) + 8;

        var (lo, hi) = ValueRange();
        var format = ValueFormat ?? DefaultFormat();
        int barLabels = new[] { format(lo), format(hi), ColorBarLabel }.Max(l => Canvas.MeasureText(l, size).Width);
        int right = Pad + barLabels + 8 + BarWidth + 16;

        int cellWidth = (width - left - right) / Columns, cellHeight = (height - top - bottom) / Rows;
        if (cellWidth < 1 || cellHeight < 1)
            throw new ArgumentException($"{width}x{height} is too small for {Rows}x{Columns} cells.");
        // A hairline between cells separates equal neighbours, but only once cells are big enough to spare it.
        int gap = cellWidth >= 6 && cellHeight >= 6 ? 1 : 0;
        var grid = new PixelRect(left, top, cellWidth * Columns, cellHeight * Rows);
        var bar = new PixelRect(grid.Right + 16, grid.Y, BarWidth, grid.Height - gap);
        return new HeatmapLayout(size, textHeight, grid, cellWidth, cellHeight, gap, bar);
    }

    (double Lo, double Hi) ValueRange()
    {
        var finite = _values.Cast<double>().Where(double.IsFinite).ToArray();
        double lo = Min ?? (finite.Length > 0 ? finite.Min() : 0);
        double hi = Max ?? (finite.Length > 0 ? finite.Max() : 1);
        return lo <= hi ? (lo, hi) : (hi, lo);
    }

    Func<double, string> DefaultFormat()
    {
        bool whole = _values.Cast<double>().Where(double.IsFinite).All(v => v == Math.Round(v) && Math.Abs(v) < 1e9);
        return whole
            ? v => v.ToString("0", CultureInfo.InvariantCulture)
            : v => v.ToString("G3", CultureInfo.InvariantCulture);
    }

    IReadOnlyList<string> RowLabelList() => RowLabels ?? Enumerable.Range(0, Rows).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
    IReadOnlyList<string> ColumnLabelList() => ColumnLabels ?? Enumerable.Range(0, Columns).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    void DrawAxisLabels(Canvas canvas, HeatmapLayout layout)
    {
        float size = layout.TextSize;

        var rows = RowLabelList();
        int rowEvery = Every(layout.CellHeight, layout.TextHeight);
        for (int r = 0; r < Rows && r < rows.Count; r += rowEvery)
        {
            var cell = layout.Cell(r, 0);
            canvas.DrawText(layout.Grid.X - 8, cell.Y + cell.Height / 2.0, rows[r], Palette.Text, size, 1, 0.5);
        }

        var cols = ColumnLabelList();
        int colEvery = Every(layout.CellWidth, cols.Count == 0 ? 1 : cols.Max(l => Canvas.MeasureText(l, size).Width) + (int)(size / 2));
        for (int c = 0; c < Columns && c < cols.Count; c += colEvery)
        {
            var cell = layout.Cell(0, c);
            canvas.DrawText(cell.X + cell.Width / 2.0, layout.Grid.Bottom + 4, cols[c], Palette.Text, size, 0.5, 0);
        }
    }

    /// <summary>Label every k-th row or column, the smallest k whose spacing fits a label.</summary>
    static int Every(int cellSize, int labelSize) => Math.Max(1, (labelSize + cellSize - 1) / cellSize);

    void DrawColorBar(Canvas canvas, HeatmapLayout layout, double lo, double hi, Func<double, string> format)
    {
        var bar = layout.Bar;
        // Top row is the top colour and bottom row the bottom one, so the bar's ends match the extreme cells exactly.
        for (int y = 0; y < bar.Height; y++)
            canvas.FillRect(bar.X, bar.Y + y, bar.Width, 1, Scale.At(bar.Height == 1 ? 1 : 1 - (double)y / (bar.Height - 1)));
        canvas.DrawRect(bar.Inflate(1), Palette.Axis);

        float size = layout.TextSize;
        int labelX = bar.Right + 8;
        canvas.DrawText(labelX, bar.Y, format(hi), Palette.Text, size);
        canvas.DrawText(labelX, bar.Bottom, format(lo), Palette.Text, size, 0, 1);
        if (ColorBarLabel.Length > 0)
            canvas.DrawText(labelX, bar.Y + bar.Height / 2.0, ColorBarLabel, Palette.Text, size, 0, 0.5);
    }

    void DrawTitles(Canvas canvas, HeatmapLayout layout)
    {
        ChartHeader.Draw(canvas, Title, YLabel, layout.TextSize, Pad);
        if (XLabel.Length > 0)
            canvas.DrawText(layout.Grid.X + layout.Grid.Width / 2.0, layout.Grid.Bottom + layout.TextHeight + 10, XLabel, Palette.Text, layout.TextSize, 0.5, 0);
    }
}
