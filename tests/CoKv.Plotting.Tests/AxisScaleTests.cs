using CoKv.Plotting;

namespace CoKv.Tests;

public class AxisScaleTests
{
    [Theory]
    [InlineData(0, 9.3)]
    [InlineData(0.012, 0.87)]
    [InlineData(-3.2, 17)]
    [InlineData(11.9, 12.4)]
    [InlineData(5, 5)]
    public void LinearTicksAreEvenNiceStepsCoveringTheData(double min, double max)
    {
        var axis = AxisScale.Linear(min, max);
        Assert.True(axis.Min <= min && axis.Max >= max, $"{axis.Min}..{axis.Max} misses {min}..{max}");
        Assert.InRange(axis.Ticks.Count, 3, 12);
        double step = axis.Ticks[1] - axis.Ticks[0];
        double mantissa = step / Math.Pow(10, Math.Floor(Math.Log10(step)));
        Assert.Contains(Math.Round(mantissa, 6), new[] { 1.0, 2.0, 5.0, 10.0 });
        for (int i = 1; i < axis.Ticks.Count; i++)
            Assert.Equal(step, axis.Ticks[i] - axis.Ticks[i - 1], 9);
        // Labels are distinct and show no floating-point noise.
        var labels = axis.Ticks.Select(axis.Label).ToArray();
        Assert.Equal(labels.Length, labels.Distinct().Count());
        Assert.All(labels, l => Assert.True(l.Length <= 7, l));
    }

    [Fact]
    public void PowersOfTwoAxisTicksAtEachContextLength()
    {
        var axis = AxisScale.PowersOfTwo(512, 16384);
        Assert.Equal(new double[] { 512, 1024, 2048, 4096, 8192, 16384 }, axis.Ticks);
        Assert.Equal(["512", "1024", "2048", "4096", "8192", "16384"], axis.Ticks.Select(axis.Label));
        Assert.Equal(0, axis.ToUnit(512), 12);
        Assert.Equal(0.4, axis.ToUnit(2048), 12);
        Assert.Equal(1, axis.ToUnit(16384), 12);
    }

    [Fact]
    public void PowersOfTwoAxisThinsOutLongRangesAndRejectsNonPositiveData()
    {
        Assert.True(AxisScale.PowersOfTwo(1, 1 << 20).Ticks.Count <= 10);
        Assert.Throws<ArgumentException>(() => AxisScale.PowersOfTwo(0, 8));
    }
}
