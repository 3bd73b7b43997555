namespace CoKv.Shapley;

/// <summary>
/// Shapley values by enumerating all 2^n coalitions: φ_i = Σ_{S ⊆ N∖{i}} |S|!(n−|S|−1)!/n! · (v(S∪{i}) − v(S)).
/// For tests and tiny real games (n ≤ 16: 65,536 evaluations).
/// </summary>
public static class ExactShapley
{
    public const int MaxPlayers = 16;

    public static double[] Compute(int n, Func<IReadOnlySet<int>, double> utility) =>
        ComputeAsync(n, new DelegateUtility(utility), CancellationToken.None).GetAwaiter().GetResult();

    public static async Task<double[]> ComputeAsync(int n, ICoalitionUtility utility, CancellationToken ct = default)
    {
        if (n < 1 || n > MaxPlayers) throw new ArgumentOutOfRangeException(nameof(n), $"Exact Shapley enumerates 2^n coalitions: n must be in 1..{MaxPlayers}.");
        var v = new double[1 << n];
        for (var mask = 0; mask < v.Length; mask++)
            v[mask] = await utility.EvaluateAsync(ToSet(mask, n), ct).ConfigureAwait(false);

        // weight(k) = k!(n−k−1)!/n! = 1 / (n · C(n−1, k)).
        var weight = new double[n];
        for (var k = 0; k < n; k++) weight[k] = 1.0 / (n * Binomial(n - 1, k));

        var phi = new double[n];
        for (var mask = 0; mask < v.Length; mask++)
        {
            var size = System.Numerics.BitOperations.PopCount((uint)mask);
            for (var i = 0; i < n; i++)
                if ((mask & (1 << i)) == 0)
                    phi[i] += weight[size] * (v[mask | (1 << i)] - v[mask]);
        }
        return phi;
    }

    static HashSet<int> ToSet(int mask, int n)
    {
        var set = new HashSet<int>();
        for (var i = 0; i < n; i++) if ((mask & (1 << i)) != 0) set.Add(i);
        return set;
    }

    static double Binomial(int n, int k)
    {
        var r = 1.0;
        for (var i = 1; i <= k; i++) r = r * (n - k + i) / i;
        return r;
    }
}
