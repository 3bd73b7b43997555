namespace CoKv.Plotting;

/// <summary>Series colours: saturated enough to tell apart as 2 px lines on white, ordered so neighbours differ in hue.</summary>
public static class Palette
{
    public static IReadOnlyList<Rgba> Series { get; } =
    [
        Rgba.FromRgb(0x1F6FB4), // blue
        Rgba.FromRgb(0xE8730C), // orange
        Rgba.FromRgb(0x2CA02C), // green
        Rgba.FromRgb(0xD62728), // red
        Rgba.FromRgb(0x8A56C2), // purple
        Rgba.FromRgb(0x8C564B), // brown
        Rgba.FromRgb(0xE055B4), // pink
        Rgba.FromRgb(0x17A8BA), // cyan
        Rgba.FromRgb(0xA5A51A), // olive
        Rgba.FromRgb(0x7F7F7F), // grey
    ];

    /// <summary>For a dashed reference line such as "full cache": dark and neutral, so it reads as a baseline.</summary>
    public static Rgba Reference { get; } = Rgba.FromRgb(0x333333);

    public static Rgba Text { get; } = Rgba.FromRgb(0x222222);
    public static Rgba Axis { get; } = Rgba.FromRgb(0x444444);
    public static Rgba Grid { get; } = Rgba.FromRgb(0xE4E4E4);
}
