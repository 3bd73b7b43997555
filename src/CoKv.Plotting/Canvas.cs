namespace CoKv.Plotting;

/// <summary>
/// An RGBA raster with the few primitives the charts need. Coordinates of lines and circles are continuous:
/// pixel (i, j) covers [i, i+1) × [j, j+1), so its centre is (i + 0.5, j + 0.5).
/// </summary>
public sealed class Canvas
{
    readonly byte[] _pixels;

    public Canvas(int width, int height) : this(width, height, Rgba.White) { }

    public Canvas(int width, int height, Rgba background)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        Width = width;
        Height = height;
        _pixels = new byte[checked(width * height * 4)];
        FillRect(0, 0, width, height, background);
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Rows top to bottom, 4 bytes (R, G, B, A) a pixel.</summary>
    public ReadOnlySpan<byte> Pixels => _pixels;

    /// <summary>When set, drawing outside it is dropped (series stay inside a plot area this way).</summary>
    public PixelRect? Clip { get; set; }

    PixelRect Bounds => Clip is { } clip ? clip.Intersect(new PixelRect(0, 0, Width, Height)) : new PixelRect(0, 0, Width, Height);

    public Rgba GetPixel(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"({x}, {y}) is outside {Width}x{Height}.");
        int i = (y * Width + x) * 4;
        return new Rgba(_pixels[i], _pixels[i + 1], _pixels[i + 2], _pixels[i + 3]);
    }

    /// <summary>Replaces the pixel (no blending); silently ignores pixels outside the canvas or clip.</summary>
    public void SetPixel(int x, int y, Rgba color)
    {
        if (!Bounds.Contains(x, y)) return;
        int i = (y * Width + x) * 4;
        _pixels[i] = color.R;
        _pixels[i + 1] = color.G;
        _pixels[i + 2] = color.B;
        _pixels[i + 3] = color.A;
    }

    /// <summary>Paints color over the pixel with the given coverage in [0, 1] ("source over").</summary>
    public void BlendPixel(int x, int y, Rgba color, double coverage)
    {
        if (coverage <= 0 || !Bounds.Contains(x, y)) return;
        double a = Math.Min(coverage, 1) * color.A / 255.0;
        if (a >= 1)
        {
            SetPixel(x, y, color);
            return;
        }
        int i = (y * Width + x) * 4;
        double dstA = _pixels[i + 3] / 255.0;
        double outA = a + dstA * (1 - a);
        if (outA <= 0) return;
        for (int k = 0; k < 3; k++)
        {
            double src = k switch { 0 => color.R, 1 => color.G, _ => color.B };
            _pixels[i + k] = (byte)Math.Round((src * a + _pixels[i + k] * dstA * (1 - a)) / outA);
        }
        _pixels[i + 3] = (byte)Math.Round(outA * 255);
    }

    public void FillRect(int x, int y, int width, int height, Rgba color)
    {
        var r = new PixelRect(x, y, width, height).Intersect(Bounds);
        for (int py = r.Y; py < r.Bottom; py++)
            for (int px = r.X; px < r.Right; px++)
                SetPixel(px, py, color);
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

    /// <summary>
    /// An anti-aliased line with round ends. Coverage comes from each pixel centre's distance to the segment,
    /// which gives widths other than 1 (a 2 px series line) for free, unlike Bresenham or plain Wu.
    /// </summary>
    public void DrawLine(double x0, double y0, double x1, double y1, Rgba color, double width = 1)
    {
        if (!double.IsFinite(x0) || !double.IsFinite(y0) || !double.IsFinite(x1) || !double.IsFinite(y1)) return;
        double half = Math.Max(width, 0.5) / 2;
        double reach = half + 1;
        double dx = x1 - x0, dy = y1 - y0;
        bool steep = Math.Abs(dy) > Math.Abs(dx);

        // Walk the major axis and only look at a band across it, so long lines cost length × width, not their bounding box.
        double majorFrom = steep ? Math.Min(y0, y1) : Math.Min(x0, x1);
        double majorTo = steep ? Math.Max(y0, y1) : Math.Max(x0, x1);
        double majorDelta = steep ? dy : dx;
        double length = Math.Sqrt(dx * dx + dy * dy);
        double band = majorDelta == 0 ? reach : reach * length / Math.Abs(majorDelta);

        var bounds = Bounds;
        int mFrom = (int)Math.Floor(majorFrom - reach), mTo = (int)Math.Ceiling(majorTo + reach);
        mFrom = Math.Max(mFrom, steep ? bounds.Y : bounds.X);
        mTo = Math.Min(mTo, (steep ? bounds.Bottom : bounds.Right) - 1);
        for (int m = mFrom; m <= mTo; m++)
        {
            double t = majorDelta == 0 ? 0 : Math.Clamp((m + 0.5 - (steep ? y0 : x0)) / majorDelta, 0, 1);
            double minorCentre = steep ? x0 + t * dx : y0 + t * dy;
            int nFrom = (int)Math.Floor(minorCentre - band), nTo = (int)Math.Ceiling(minorCentre + band);
            for (int n = nFrom; n <= nTo; n++)
            {
                int px = steep ? n : m, py = steep ? m : n;
                double d = DistanceToSegment(px + 0.5, py + 0.5, x0, y0, x1, y1);
                BlendPixel(px, py, color, half + 0.5 - d);
            }
        }
    }

    /// <summary>
    /// Joins the points with lines; a non-finite point breaks the line. With dash &gt; 0 the line alternates
    /// dash pixels drawn and gap pixels skipped, measured along the whole path so dashes run on across corners.
    /// </summary>
    public void DrawPolyline(IReadOnlyList<(double X, double Y)> points, Rgba color, double width = 1, double dash = 0, double gap = 0)
    {
        bool dashed = dash > 0 && gap > 0;
        double phase = 0; // distance already used in the current dash or gap
        bool on = true;
        for (int i = 1; i < points.Count; i++)
        {
            var (ax, ay) = points[i - 1];
            var (bx, by) = points[i];
            if (!double.IsFinite(ax) || !double.IsFinite(ay) || !double.IsFinite(bx) || !double.IsFinite(by)) continue;
            if (!dashed)
            {
                DrawLine(ax, ay, bx, by, color, width);
                continue;
            }
            double length = Math.Sqrt((bx - ax) * (bx - ax) + (by - ay) * (by - ay));
            double at = 0;
            while (at < length)
            {
                double step = Math.Min((on ? dash : gap) - phase, length - at);
                if (on)
                {
                    double t0 = at / length, t1 = (at + step) / length;
                    DrawLine(ax + (bx - ax) * t0, ay + (by - ay) * t0, ax + (bx - ax) * t1, ay + (by - ay) * t1, color, width);
                }
                at += step;
                phase += step;
                if (phase >= (on ? dash : gap) - 1e-9)
                {
                    on = !on;
                    phase = 0;
                }
            }
        }
    }

    public void FillCircle(double cx, double cy, double radius, Rgba color)
    {
        var bounds = Bounds;
        int x0 = Math.Max(bounds.X, (int)Math.Floor(cx - radius - 1)), x1 = Math.Min(bounds.Right - 1, (int)Math.Ceiling(cx + radius + 1));
        int y0 = Math.Max(bounds.Y, (int)Math.Floor(cy - radius - 1)), y1 = Math.Min(bounds.Bottom - 1, (int)Math.Ceiling(cy + radius + 1));
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++)
            {
                double d = Math.Sqrt((x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - cy) * (y + 0.5 - cy));
                BlendPixel(x, y, color, radius + 0.5 - d);
            }
    }

    /// <summary>Size of text drawn at this scale: each glyph is 5×8 pixels (7 above the baseline), 1 pixel apart.</summary>
    public static (int Width, int Height) MeasureText(string text, int scale = 1) => BitmapFont.Measure(text, scale);

    /// <summary>
    /// Draws text with its top-left corner at (x, y) in the built-in bitmap font, each font pixel a scale × scale
    /// square. Bold repeats each glyph one pixel to the right, which stays crisp where a heavier font would not.
    /// </summary>
    public void DrawText(int x, int y, string text, Rgba color, int scale = 1, bool bold = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        for (int i = 0; i < text.Length; i++)
        {
            var rows = BitmapFont.Rows(text[i]);
            int gx = x + i * BitmapFont.Advance * scale;
            for (int row = 0; row < BitmapFont.GlyphHeight; row++)
                for (int col = 0; col < BitmapFont.GlyphWidth; col++)
                {
                    if ((rows[row] & (1 << (BitmapFont.GlyphWidth - 1 - col))) == 0) continue;
                    FillRect(gx + col * scale, y + row * scale, scale + (bold ? 1 : 0), scale, color);
                }
        }
    }

    /// <summary>Draws text anchored by a fraction of its own size: (0.5, 0.5) centres it on (x, y), (1, 0) hangs it left of x.</summary>
    public void DrawText(int x, int y, string text, Rgba color, int scale, double anchorX, double anchorY, bool bold = false)
    {
        var (w, h) = MeasureText(text, scale);
        DrawText(x - (int)Math.Round(w * anchorX), y - (int)Math.Round(h * anchorY), text, color, scale, bold);
    }

    public byte[] ToPng() => PngEncoder.Encode(this);

    public void Save(string path) => FileOutput.Write(path, ToPng());

    static double DistanceToSegment(double px, double py, double x0, double y0, double x1, double y1)
    {
        double dx = x1 - x0, dy = y1 - y0;
        double lengthSquared = dx * dx + dy * dy;
        double t = lengthSquared == 0 ? 0 : Math.Clamp(((px - x0) * dx + (py - y0) * dy) / lengthSquared, 0, 1);
        double ex = px - (x0 + t * dx), ey = py - (y0 + t * dy);
        return Math.Sqrt(ex * ex + ey * ey);
    }
}
