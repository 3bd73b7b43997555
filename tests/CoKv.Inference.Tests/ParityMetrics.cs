namespace CoKv.Tests;

static class ParityMetrics
{
    /// <summary>
    /// The logits error used throughout: max over the vocabulary of |ours − theirs| at one position, divided by the
    /// standard deviation of theirs at that position.
    /// </summary>
    public static double RelativeError(ReadOnlySpan<float> ours, ReadOnlySpan<float> theirs)
    {
        if (ours.Length != theirs.Length) throw new ArgumentException($"{ours.Length} logits vs {theirs.Length}");
        double mean = 0;
        foreach (var x in theirs) mean += x;
        mean /= theirs.Length;
        double variance = 0, maxDiff = 0;
        for (int i = 0; i < theirs.Length; i++)
        {
            variance += (theirs[i] - mean) * (theirs[i] - mean);
            maxDiff = Math.Max(maxDiff, Math.Abs((double)ours[i] - theirs[i]));
        }
        return maxDiff / Math.Sqrt(variance / theirs.Length);
    }

    /// <summary>The largest <see cref="RelativeError"/> over positions of [position][vocab] tables.</summary>
    public static double WorstRelativeError(float[][] ours, float[][] theirs)
    {
        Assert.Equal(theirs.Length, ours.Length);
        return ours.Zip(theirs).Max(p => RelativeError(p.First, p.Second));
    }
}
