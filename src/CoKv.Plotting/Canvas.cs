using SkiaSharp;

namespace CoKv.Plotting;

/// <summary>
/// A SkiaSharp raster with the few primitives the charts need, in <see cref="Rgba"/> and <see cref="PixelRect"/>
/// terms. Coordinates are continuous: pixel (i, j) covers [i, i+1) × [j, j+1), so its centre is (i + 0.5, j + 0.5);
/// rectangles on whole pixels are filled crisply, lines, circles and text are anti-aliased.
/// </summary>
public sealed class Canvas : IDisposable
{
    readonly SKBitmap _bitmap;
    readonly SKCanvas _canvas;
    PixelRect? _clip;

    public Canvas(int width, int height) : this(width, height, Rgba.White) { }

    public Canvas(int width, int height, Rgba background)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        Width = width;
        Height = height;
        _bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        _canvas = new SKCanvas(_bitmap);
        _canvas.Clear(background.ToSk());
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>When set, drawing outside it is dropped (series stay inside a plot area this way).</summary>
    public PixelRect? Clip
    {
        get => _clip;
        set
        {
            if (_clip is not null) _canvas.Restore();
            _clip = value;
            if (value is not { } r) return;
            _canvas.Save();
            _canvas.ClipRect(SKRect.Create(r.X, r.Y, r.Width, r.Height));
        }
    }

    public Rgba GetPixel(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"({x}, {y}) is outside {Width}x{Height}.");
        return Rgba.From(_bitmap.GetPixel(x, y));
    }

    public void FillRect(int x, int y, int width, int height, Rgba color)
    {
        if (width <= 0 || height <= 0) return;
        using var paint = new SKPaint { Color = color.ToSk(), Style = SKPaintStyle.Fill, IsAntialias = false };
        _canvas.DrawRect(SKRect.Create(x, y, width, height), paint);
    }

    public void FillRect(PixelRect rect, Rgba color) => FillRect(rect.X, rect.Y, rect.Width, rect.Height, color);

    /// <summary>A one-pixel outline just inside the rectangle.</summary>
    public void DrawRect(PixelRect rect, Rgba color)
    {
        FillRect(rect.X, rect.Y, rect.Width, 1, color);
        FillRect(rect.X, rect.Bottom - 1, rect.Width, 1, color);
        FillRect(rect.X, rect.Y, 1, rect.Height, color);
        FillRect(rect.Right - 1, rect.Y, 1, rect.Height, color);
    }

    public void DrawLine(double x0, double y0, double x1, double y1, Rgba color, double width = 1) =>
        DrawPolyline([(x0, y0), (x1, y1)], color, width);

    /// <summary>
    /// Joins the points with lines; a non-finite point breaks the line. With dash &gt; 0 the line alternates
    /// dash pixels drawn and gap pixels skipped, measured along each unbroken run so dashes go on across corners.
    /// </summary>
    public void DrawPolyline(IReadOnlyList<(double X, double Y)> points, Rgba color, double width = 1, double dash = 0, double gap = 0)
    {
        using var path = new SKPath();
        bool penDown = false;
        foreach (var (x, y) in points)
        {
            if (!double.IsFinite(x) || !double.IsFinite(y))
            {
                penDown = false;
                continue;
            }
            if (penDown) path.LineTo((float)x, (float)y);
            else path.MoveTo((float)x, (float)y);
            penDown = true;
        }
        bool dashed = dash > 0 && gap > 0;
        using var effect = dashed ? SKPathEffect.CreateDash([(float)dash, (float)gap], 0) : null;
        using var paint = new SKPaint
        {
            Color = color.ToSk(),
            Style = SKPaintStyle.Stroke,
            StrokeWidth = (float)width,
            // Round caps would lengthen every dash by the line width and close the gaps.
            StrokeCap = dashed ? SKStrokeCap.Butt : SKStrokeCap.Round,
            StrokeJoin = SKStrokeJoin.Round,
            IsAntialias = true,
            PathEffect = effect,
        };
        _canvas.DrawPath(path, paint);
    }

    public void FillCircle(double cx, double cy, double radius, Rgba color)
    {
        using var paint = new SKPaint { Color = color.ToSk(), Style = SKPaintStyle.Fill, IsAntialias = true };
        _canvas.DrawCircle((float)cx, (float)cy, (float)radius, paint);
    }

    /// <summary>
    /// The box text of this pixel size occupies: its advance width, and the font's ascent plus descent (the same for
    /// every string, so labels on one row line up whatever letters they hold).
    /// </summary>
    public static (int Width, int Height) MeasureText(string text, float size, bool bold = false)
    {
        using var font = ChartFont.Create(size, bold);
        var m = font.Metrics;
        return ((int)Math.Ceiling(Advance(font, text)), (int)Math.Ceiling(m.Descent - m.Ascent));
    }

    /// <summary>
    /// Draws text of the given pixel size in DejaVu Sans, anchored by a fraction of its measured box: (0, 0) puts the
    /// box's top-left corner at (x, y), (0.5, 0.5) centres it there, (1, 0) hangs it left of x.
    /// </summary>
    public void DrawText(double x, double y, string text, Rgba color, float size, double anchorX = 0, double anchorY = 0, bool bold = false)
    {
        if (text.Length == 0) return;
        using var font = ChartFont.Create(size, bold);
        using var paint = new SKPaint { Color = color.ToSk(), IsAntialias = true };
        var m = font.Metrics;
        double left = x - Advance(font, text) * anchorX;
        double top = y - (m.Descent - m.Ascent) * anchorY;
        _canvas.DrawText(text, (float)left, (float)(top - m.Ascent), font, paint);
    }

    // SkiaSharp 2.88's SKFont measures glyph ids, not strings.
    static float Advance(SKFont font, string text)
    {
        var glyphs = new ushort[font.CountGlyphs(text)];
        font.GetGlyphs(text, glyphs);
        return font.MeasureText(glyphs);
    }

    public byte[] ToPng()
    {
        _canvas.Flush();
        using var data = _bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode the {Width}x{Height} canvas as PNG.");
        return data.ToArray();
    }

    public void Save(string path) => FileOutput.Write(path, ToPng());

    public void Dispose()
    {
        _canvas.Dispose();
        _bitmap.Dispose();
    }
}
