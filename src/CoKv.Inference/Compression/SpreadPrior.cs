namespace CoKv.Compression;

/// <summary>
/// Scores in (0, 1] for n prefix positions in van der Corput order (the position's index with its bits reversed):
/// for every k, the k best-scored positions are spread evenly over the prefix, no gap above 4n/k. Added to
/// SnapKV's votes with a small weight (<see cref="SnapKvOptions.SpreadWeight"/>), it decides only among positions the
/// queries do not single out, so what a head keeps of them is an even sample of the prompt rather than noise: a count
/// over the whole document (which word is most frequent) survives in that sample.
/// </summary>
public static class SpreadPrior
{
    /// <summary>n scores: 1 − (bit-reversed index) / 2^bits, 2^bits ≥ n; all distinct.</summary>
    public static float[] Scores(long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        int bits = 0;
        while ((1L << bits) < n) bits++;
        var scores = new float[n];
        double scale = 1L << bits;
        for (long p = 0; p < n; p++)
        {
            long reversed = 0, rest = p;
            for (int b = 0; b < bits; b++, rest >>= 1) reversed = (reversed << 1) | (rest & 1);
            scores[p] = (float)(1 - reversed / scale);
        }
        return scores;
    }
}
