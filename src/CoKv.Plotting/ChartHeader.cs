namespace CoKv.Plotting;

/// <summary>The title (bold, centred) and the y-axis label above the plot, the same on every chart.</summary>
internal static class ChartHeader
{
    /// <returns>The height of one line of text at <paramref name="scale"/>.</returns>
    public static int Draw(Canvas canvas, string title, string yLabel, int scale, int pad)
    {
        int textHeight = Canvas.MeasureText("0", scale).Height;
        int y = pad;
        if (title.Length > 0)
        {
            canvas.DrawText(canvas.Width / 2, y, title, Palette.Text, scale, 0.5, 0, bold: true);
            y += textHeight + 12;
        }
        if (yLabel.Length > 0)
            canvas.DrawText(pad, y, yLabel, Palette.Text, scale);
        return textHeight;
    }
}
