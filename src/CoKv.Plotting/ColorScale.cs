namespace CoKv.Plotting;

/// <summary>Maps t in [0, 1] to a colour by straight interpolation between evenly spaced stops.</summary>
public sealed class ColorScale
{
    readonly Rgba[] _stops;

    public ColorScale(params Rgba[] stops)
    {
        if (stops.Length < 2) throw new ArgumentException("A colour scale needs at least two stops.", nameof(stops));
        _stops = (Rgba[])stops.Clone();
    }

    /// <summary>
    /// Dark purple through teal to yellow, after matplotlib's viridis: lightness rises steadily, so the order of
    /// values survives greyscale printing and the common colour-vision deficiencies.
    /// </summary>
    public static ColorScale Viridis { get; } = new(
        Rgba.FromRgb(0x440154), Rgba.FromRgb(0x482878), Rgba.FromRgb(0x3E4A89), Rgba.FromRgb(0x31688E),
        Rgba.FromRgb(0x26828E), Rgba.FromRgb(0x1F9E89), Rgba.FromRgb(0x35B779), Rgba.FromRgb(0x6DCD59),
        Rgba.FromRgb(0xB4DE2C), Rgba.FromRgb(0xFDE725));

    /// <summary>The colour of the lowest value.</summary>
    public Rgba Bottom => _stops[0];

    /// <summary>The colour of the highest value.</summary>
    public Rgba Top => _stops[^1];

    public Rgba At(double t)
    {
        if (double.IsNaN(t)) throw new ArgumentException("t is NaN.", nameof(t));
        double position = Math.Clamp(t, 0, 1) * (_stops.Length - 1);
        int i = Math.Min((int)position, _stops.Length - 2);
        return Rgba.Lerp(_stops[i], _stops[i + 1], position - i);
    }
}
