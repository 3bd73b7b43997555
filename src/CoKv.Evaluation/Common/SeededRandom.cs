namespace CoKv.Common;

/// <summary>
/// A small PRNG (SplitMix64) whose sequence is fixed by this code alone. System.Random's sequence is an
/// implementation detail of the runtime; profiles, checkpoints and shards must reproduce across machines and .NET
/// versions, so everything seeded in this library draws from here.
/// </summary>
public sealed class SeededRandom
{
    ulong _state;

    public SeededRandom(long seed) => _state = unchecked((ulong)seed);

    /// <summary>A generator for item <paramref name="index"/> of a stream: depends only on (seed, index), so items can
    /// be produced in any order, by any worker, and still be the same.</summary>
    public static SeededRandom ForItem(long seed, long index)
    {
        var mixed = Mix(unchecked((ulong)seed) ^ Mix(unchecked((ulong)index) + 0x632BE59BD9B4E019UL));
        return new SeededRandom(unchecked((long)mixed));
    }

    public ulong NextUInt64()
    {
        _state = unchecked(_state + 0x9E3779B97F4A7C15UL);
        return Mix(_state);
    }

    /// <summary>Uniform in [0, maxExclusive), without modulo bias.</summary>
    public int Next(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive));
        var bound = (ulong)maxExclusive;
        var limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong r;
        do r = NextUInt64(); while (r >= limit);
        return (int)(r % bound);
    }

    public int Next(int minInclusive, int maxExclusive) => minInclusive + Next(maxExclusive - minInclusive);

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public void Shuffle<T>(IList<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A uniformly random k-subset of 0..n-1, sorted (partial Fisher-Yates).</summary>
    public int[] Subset(int n, int k)
    {
        if (k < 0 || k > n) throw new ArgumentOutOfRangeException(nameof(k), $"Cannot take {k} of {n}.");
        var pool = new int[n];
        for (var i = 0; i < n; i++) pool[i] = i;
        for (var i = 0; i < k; i++)
        {
            var j = i + Next(n - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        var result = pool[..k];
        Array.Sort(result);
        return result;
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    static ulong Mix(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
