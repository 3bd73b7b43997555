using CoKv.Common;

namespace CoKv.Shapley;

/// <summary>How a plan draws the coalitions of one size.</summary>
public enum CoalitionDesign
{
    /// <summary>CoKV's Algorithm 1: every draw an independent uniform s-subset.</summary>
    Independent,

    /// <summary>
    /// Variance-reduced: a size whose distinct draws (C(N, s), or C(N, s)/2 for s = N/2, where S and N∖S are the same
    /// draw) fit in M is enumerated whole, in a fixed order, with no sampling error at all; any other size draws rounds of
    /// one random permutation cut into ⌊N/s⌋ disjoint blocks, so every player joins the stratum about equally often
    /// (at s = N/2 one block per round: its complement is the other). Each block is still a uniform s-subset.
    /// </summary>
    Stratified,
}

/// <summary>
/// The seeded sequence of draws. Draws interleave the strata (draw j is of size sizes[j % |H|] while every stratum
/// still has draws left), so a partial run already covers every stratum, and each coalition is a function of
/// (seed, design, its stratum and rank) alone: any worker, any shard, any order, before or after a restart, draws the
/// same coalition. Raising M later only appends draws (an enumerated stratum stays whole).
/// </summary>
public sealed class CoalitionPlan
{
    readonly (int Size, int Rank)[] _draws;
    readonly Dictionary<int, int[][]> _enumerated = [];

    public CoalitionPlan(int players, IReadOnlyList<int> sizes, int samplesPerSize, long seed, CoalitionDesign design = CoalitionDesign.Independent)
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
        Design = design;

        var perSize = new int[Sizes.Count];
        for (int k = 0; k < Sizes.Count; k++)
        {
            perSize[k] = samplesPerSize;
            if (design == CoalitionDesign.Stratified && DistinctDraws(players, Sizes[k]) <= samplesPerSize)
            {
                _enumerated[Sizes[k]] = Enumerate(players, Sizes[k]);
                perSize[k] = _enumerated[Sizes[k]].Length;
            }
        }
        var draws = new List<(int, int)>();
        for (int rank = 0; rank < perSize.Max(); rank++)
            for (int k = 0; k < Sizes.Count; k++)
                if (rank < perSize[k]) draws.Add((Sizes[k], rank));
        _draws = draws.ToArray();
    }

    public int Players { get; }
    public IReadOnlyList<int> Sizes { get; }
    public int SamplesPerSize { get; }
    public long Seed { get; }
    public CoalitionDesign Design { get; }
    public int Count => _draws.Length;

    /// <summary>Sizes whose every distinct draw the plan evaluates (their stratum means are exact).</summary>
    public IReadOnlyCollection<int> EnumeratedSizes => _enumerated.Keys;

    public int SizeOf(int drawIndex) => _draws[drawIndex].Size;

    /// <summary>
    /// The half (0 or 1) of its stratum a draw belongs to for cross-fitting a control variate: the parity of its
    /// round, so the blocks of one permutation (which are not independent of each other) stay in the same half.
    /// −1 for an enumerated stratum, whose mean is exact and needs no correction.
    /// </summary>
    public int FoldOf(int drawIndex)
    {
        var (size, rank) = _draws[drawIndex];
        if (_enumerated.ContainsKey(size)) return -1;
        int blocks = Design == CoalitionDesign.Independent ? 1 : 2 * size == Players ? 1 : Players / size;
        return rank / blocks % 2;
    }

    /// <summary>Sorted player ids of draw j's coalition S.</summary>
    public int[] Coalition(int drawIndex)
    {
        var (size, rank) = _draws[drawIndex];
        if (Design == CoalitionDesign.Independent)
            // CoKV's sequence, unchanged since version 1 of the checkpoints: draw j from (seed, j).
            return SeededRandom.ForItem(Seed, drawIndex).Subset(Players, size);
        if (_enumerated.TryGetValue(size, out var all)) return (int[])all[rank].Clone();
        int blocks = 2 * size == Players ? 1 : Players / size;
        int round = rank / blocks, block = rank % blocks;
        var permutation = Enumerable.Range(0, Players).ToArray();
        // A stream of its own per (size, round): 2^32 rounds per size before two streams could meet.
        SeededRandom.ForItem(Seed, ((long)size << 32) + round).Shuffle(permutation);
        var coalition = permutation.AsSpan(block * size, size).ToArray();
        Array.Sort(coalition);
        return coalition;
    }

    /// <summary>How many different draws a stratum has: C(n, s), halved at s = n/2 (S and N∖S give the same CC up to sign).</summary>
    public static double DistinctDraws(int players, int size)
    {
        double c = Binomial(players, size);
        return 2 * size == players ? c / 2 : c;
    }

    static double Binomial(int n, int k)
    {
        double r = 1;
        for (int i = 1; i <= k; i++) r = r * (n - k + i) / i;
        return Math.Round(r);
    }

    /// <summary>Every s-subset in lexicographic order (at s = n/2 only those holding player 0).</summary>
    static int[][] Enumerate(int n, int s)
    {
        var result = new List<int[]>();
        var current = new int[s];
        void Walk(int start, int depth)
        {
            if (depth == s)
            {
                if (2 * s != n || current[0] == 0) result.Add((int[])current.Clone());
                return;
            }
            for (int i = start; i <= n - (s - depth); i++)
            {
                current[depth] = i;
                Walk(i + 1, depth + 1);
            }
        }
        Walk(0, 0);
        return result.ToArray();
    }

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
