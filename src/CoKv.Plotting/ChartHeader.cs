namespace CoKv.Plotting;

/// <summary>The title (bold, centred) and the y-axis label above the plot, and the text sizes, the same on every chart.</summary>
internal static class ChartHeader
{
    /// <summary>Pixel size of labels: larger on charts big enough to spare the room.</summary>
    public static float TextSize(int width, int height) => width >= 600 && height >= 360 ? 15f : 11f;

    public static float TitleSize(float textSize) => textSize + 2;

    /// <summary>Space the header takes above the plot.</summary>
    public static int Height(string title, string yLabel, float textSize)
    {
        int h = 0;
        if (title.Length > 0) h += Canvas.MeasureText(title, TitleSize(textSize), bold: true).Height + 8;
        if (yLabel.Length > 0) h += Canvas.MeasureText(yLabel, textSize).Height + 6;
        return h;
    }

    public static void Draw(Canvas canvas, string title, string yLabel, float textSize, int pad)
    {
        int y = pad;
        if (title.Length > 0)
        {
            canvas.DrawText(canvas.Width / 2.0, y, title, Palette.Text, TitleSize(textSize), 0.5, 0, bold: true);
            y += Canvas.MeasureText(title, TitleSize(textSize), bold: true).Height + 8;
        }
        if (yLabel.Length > 0)
            canvas.DrawText(pad, y, yLabel, Palette.Text, textSize);
    }
}
