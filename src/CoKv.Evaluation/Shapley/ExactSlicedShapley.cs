namespace CoKv.Shapley;

/// <summary>
/// The Sliced Shapley value without sampling: SSV_i = Σ_{s∈H} mean over every s-subset T ∋ i of U(T) − U(N∖T), each
/// U evaluated once (cached by coalition). Σ_s C(N, s) coalitions and their complements: for tests, and for real games
/// whose strata are small (N = 16, H = {2}: 240 evaluations).
/// </summary>
public static class ExactSlicedShapley
{
    public static async Task<double[]> ComputeAsync(int players, IReadOnlyList<int> sizes, ICoalitionUtility utility, CancellationToken ct = default)
    {
        if (players < 1 || players > 30) throw new ArgumentOutOfRangeException(nameof(players), "Exact sliced values enumerate coalitions by bit mask: 1..30 players.");
        var cache = new Dictionary<int, double>();
        async Task<double> U(int mask)
        {
            if (cache.TryGetValue(mask, out var v)) return v;
            var set = Enumerable.Range(0, players).Where(i => (mask & (1 << i)) != 0).ToHashSet();
            return cache[mask] = await utility.EvaluateAsync(set, ct).ConfigureAwait(false);
        }
        int all = (1 << players) - 1;
        var ssv = new double[players];
        foreach (var s in sizes.Distinct())
        {
            var sum = new double[players];
            var count = new int[players];
            for (int mask = 0; mask <= all; mask++)
            {
                if (System.Numerics.BitOperations.PopCount((uint)mask) != s) continue;
                double cc = await U(mask).ConfigureAwait(false) - await U(all & ~mask).ConfigureAwait(false);
                for (int i = 0; i < players; i++)
                    if ((mask & (1 << i)) != 0) { sum[i] += cc; count[i]++; }
            }
            for (int i = 0; i < players; i++) ssv[i] += sum[i] / count[i];
        }
        return ssv;
    }

    public static double[] Compute(int players, IReadOnlyList<int> sizes, Func<IReadOnlySet<int>, double> utility) =>
        ComputeAsync(players, sizes, new DelegateUtility(utility)).GetAwaiter().GetResult();
}
