using System.Globalization;

namespace CoKv.Plotting;

/// <summary>An axis range with its tick values, mapping data values to [0, 1].</summary>
internal sealed record AxisScale(double Min, double Max, bool Log2, IReadOnlyList<double> Ticks, int Decimals)
{
    public double ToUnit(double value) => Log2
        ? (Math.Log2(value) - Math.Log2(Min)) / (Math.Log2(Max) - Math.Log2(Min))
        : (value - Min) / (Max - Min);

    public string Label(double tick) =>
        tick.ToString(Log2 ? "0.######" : "F" + Decimals, CultureInfo.InvariantCulture);

    /// <summary>
    /// Ticks at 1, 2 or 5 × 10^k apart, about target of them, with the range widened to whole ticks so the
    /// data never touches an unlabelled edge.
    /// </summary>
    public static AxisScale Linear(double min, double max, int target = 6)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max)) (min, max) = (0, 1);
        if (min > max) (min, max) = (max, min);
        if (min == max)
        {
            double pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
            (min, max) = (min - pad, max + pad);
        }

        double step = NiceStep((max - min) / Math.Max(1, target - 1));
        // Ticks come from integer multiples of step; the tiny slack keeps 0.30000000000000004 from adding a tick.
        long first = (long)Math.Floor(min / step + 1e-9), last = (long)Math.Ceiling(max / step - 1e-9);
        int decimals = Math.Max(0, (int)Math.Ceiling(-Math.Log10(step) - 1e-9));
        var ticks = new List<double>();
        for (long k = first; k <= last; k++)
            ticks.Add(Math.Round(k * step, decimals + 1));
        return new AxisScale(ticks[0], ticks[^1], false, ticks, decimals);
    }

    /// <summary>Ticks at powers of two (context lengths, budgets), every other one when there would be too many.</summary>
    public static AxisScale PowersOfTwo(double min, double max, int maxTicks = 10)
    {
        if (!(min > 0) || !(max > 0) || !double.IsFinite(min) || !double.IsFinite(max))
            throw new ArgumentException($"A log2 axis needs positive values; the data spans {min}..{max}.");
        if (min > max) (min, max) = (max, min);
        int lo = (int)Math.Floor(Math.Log2(min) + 1e-9), hi = (int)Math.Ceiling(Math.Log2(max) - 1e-9);
        if (lo == hi) (lo, hi) = (lo - 1, hi + 1);
        int every = 1;
        while ((hi - lo) / every + 1 > maxTicks) every++;
        var ticks = new List<double>();
        for (int e = lo; e <= hi; e += every)
            ticks.Add(Math.Pow(2, e));
        return new AxisScale(Math.Pow(2, lo), Math.Pow(2, hi), true, ticks, 0);
    }

    internal static double NiceStep(double rough)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double f = rough / magnitude;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return nice * magnitude;
    }
}
