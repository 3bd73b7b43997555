namespace CoKv.Shapley;

/// <summary>
/// A control variate for the Sliced Shapley estimator: per draw size s, an additive model CC(S) ≈ L(S) = Σ_{j∈S} β_j
/// fitted by least squares. Its stratum means are known in closed form (S∖{i} is a uniform (s−1)-subset of the others),
/// so each sample CC(S) of player i is replaced by CC(S) − L(S) + E[L | i ∈ S]; what the model explains (which other
/// heads the draw happened to include) no longer varies. β is cross-fitted: a draw is corrected with the β of the other
/// half of its stratum's rounds, independent of it, so the correction has expectation zero and the estimator stays
/// unbiased for any β, good or bad.
/// </summary>
public sealed class AdditiveControl
{
    /// <summary>A half needs this many draws per player before its fit is trusted; below, draws go uncorrected.</summary>
    public const int MinDrawsPerPlayer = 1;

    readonly Dictionary<(int Size, int Fold), double[]> _beta;

    AdditiveControl(Dictionary<(int, int), double[]> beta) => _beta = beta;

    public static AdditiveControl Fit(int players, IReadOnlyList<ShapleyDraw> draws, Func<ShapleyDraw, int> foldOf)
    {
        var beta = new Dictionary<(int, int), double[]>();
        foreach (var group in draws.Where(d => foldOf(d) >= 0).GroupBy(d => (d.Size, foldOf(d))))
        {
            var list = group.ToArray();
            if (list.Length >= MinDrawsPerPlayer * players) beta[group.Key] = LeastSquares(players, list);
        }
        return new AdditiveControl(beta);
    }

    /// <summary>The β that corrects draw d (of half <paramref name="fold"/>): the other half's, or null.</summary>
    public double[]? For(ShapleyDraw d, int fold) =>
        fold < 0 ? null : _beta.TryGetValue((d.Size, 1 - fold), out var b) ? b : null;

    /// <summary>Player i ∈ S, sample of stratum s: CC − L(S) + β_i + (s−1)/(n−1) Σ_{j≠i} β_j.</summary>
    public static double Inside(double[] beta, ShapleyDraw d, int i, int players)
    {
        double total = beta.Sum(), rest = total - beta[i];
        return d.Complementary - Model(beta, d) + beta[i] + (d.Size - 1.0) / (players - 1) * rest;
    }

    /// <summary>Player i ∉ S, sample of stratum n−s: −CC + L(S) − s/(n−1) Σ_{j≠i} β_j.</summary>
    public static double Outside(double[] beta, ShapleyDraw d, int i, int players)
    {
        double rest = beta.Sum() - beta[i];
        return -d.Complementary + Model(beta, d) - (double)d.Size / (players - 1) * rest;
    }

    static double Model(double[] beta, ShapleyDraw d)
    {
        double l = 0;
        foreach (var j in d.Coalition) l += beta[j];
        return l;
    }

    /// <summary>min Σ (CC − Σ_{j∈S} β_j)² + λ|β|², λ tiny (the columns of one size are not full rank with a constant).</summary>
    static double[] LeastSquares(int n, IReadOnlyList<ShapleyDraw> draws)
    {
        var a = new double[n, n];
        var b = new double[n];
        foreach (var d in draws)
            foreach (var j in d.Coalition)
            {
                b[j] += d.Complementary;
                foreach (var k in d.Coalition) a[j, k] += 1;
            }
        double trace = 0;
        for (int j = 0; j < n; j++) trace += a[j, j];
        double ridge = 1e-9 * trace / n + 1e-12;
        for (int j = 0; j < n; j++) a[j, j] += ridge;
        return Solve(a, b);
    }

    /// <summary>Gaussian elimination with partial pivoting (the matrix is symmetric positive definite, n ≤ a few hundred).</summary>
    static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        for (int c = 0; c < n; c++)
        {
            int p = c;
            for (int r = c + 1; r < n; r++) if (Math.Abs(a[r, c]) > Math.Abs(a[p, c])) p = r;
            if (p != c)
            {
                for (int k = 0; k < n; k++) (a[c, k], a[p, k]) = (a[p, k], a[c, k]);
                (b[c], b[p]) = (b[p], b[c]);
            }
            for (int r = c + 1; r < n; r++)
            {
                double f = a[r, c] / a[c, c];
                if (f == 0) continue;
                for (int k = c; k < n; k++) a[r, k] -= f * a[c, k];
                b[r] -= f * b[c];
            }
        }
        var x = new double[n];
        for (int r = n - 1; r >= 0; r--)
        {
            double s = b[r];
            for (int k = r + 1; k < n; k++) s -= a[r, k] * x[k];
            x[r] = s / a[r, r];
        }
        return x;
    }
}
