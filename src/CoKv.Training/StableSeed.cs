namespace CoKv.Training;

/// <summary>
/// Seeds derived from several integers, the same in every process (HashCode.Combine is randomised per process, which
/// would make training data differ between runs and after a resume).
/// </summary>
public static class StableSeed
{
    public static int Of(params int[] parts)
    {
        ulong state = 0x9E3779B97F4A7C15;
        foreach (var part in parts) state = Mix(state ^ (uint)part);
        return (int)(state & 0x7FFFFFFF);
    }

    // SplitMix64's finaliser: every input bit affects every output bit.
    static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
