namespace CoKv.Plotting;

/// <summary>One line of a <see cref="LineChart"/>. Points are drawn in the order given; NaN breaks the line.</summary>
public sealed record LineSeries(string Name, IReadOnlyList<(double X, double Y)> Points)
{
    /// <summary>Null takes the next palette colour (or the reference grey for the first dashed series).</summary>
    public Rgba? Color { get; init; }

    /// <summary>Dashed, for a reference such as "full cache" that the other lines are read against.</summary>
    public bool Dashed { get; init; }
}
