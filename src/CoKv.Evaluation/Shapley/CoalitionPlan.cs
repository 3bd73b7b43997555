using CoKv.Common;

namespace CoKv.Shapley;

/// <summary>
/// The seeded sequence of draws. Draw j has size sizes[j % |H|] (strata interleaved, so a partial run already
/// covers every stratum) and its coalition comes from a generator seeded by (seed, j) alone: any worker, any shard,
/// any order, before or after a restart, draws the same coalition. Raising M later only appends draws.
/// </summary>
public sealed class CoalitionPlan
{
    public CoalitionPlan(int players, IReadOnlyList<int> sizes, int samplesPerSize, long seed)
    {
        if (players < 1) throw new ArgumentOutOfRangeException(nameof(players));
        if (samplesPerSize < 1) throw new ArgumentOutOfRangeException(nameof(samplesPerSize), "Need at least one sample per size.");
        if (sizes.Count == 0) throw new ArgumentException("Need at least one coalition size.", nameof(sizes));
        foreach (var s in sizes)
            if (s < 1 || s > players) throw new ArgumentOutOfRangeException(nameof(sizes), $"Coalition size {s} is not in 1..{players}.");
        if (sizes.Distinct().Count() != sizes.Count) throw new ArgumentException("Coalition sizes must be distinct.", nameof(sizes));
        Players = players;
        Sizes = sizes.ToArray();
        SamplesPerSize = samplesPerSize;
        Seed = seed;
    }

    public int Players { get; }
    public IReadOnlyList<int> Sizes { get; }
    public int SamplesPerSize { get; }
    public long Seed { get; }
    public int Count => Sizes.Count * SamplesPerSize;

    public int SizeOf(int drawIndex) => Sizes[drawIndex % Sizes.Count];

    /// <summary>Sorted player ids of draw j's coalition S.</summary>
    public int[] Coalition(int drawIndex) => SeededRandom.ForItem(Seed, drawIndex).Subset(Players, SizeOf(drawIndex));

    /// <summary>CoKV's default sizes N/8, N/4, 3N/8, N/2: rounded half away from zero, clamped to [1, N], distinct,
    /// ascending (small N collapses some of them).</summary>
    public static IReadOnlyList<int> DefaultSizes(int players)
    {
        if (players < 1) throw new ArgumentOutOfRangeException(nameof(players));
        return new[] { 1.0 / 8, 2.0 / 8, 3.0 / 8, 4.0 / 8 }
            .Select(f => Math.Clamp((int)Math.Round(players * f, MidpointRounding.AwayFromZero), 1, players))
            .Distinct().Order().ToArray();
    }
}
