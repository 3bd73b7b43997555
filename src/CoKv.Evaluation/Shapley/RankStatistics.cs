namespace CoKv.Shapley;

/// <summary>Spearman's rank correlation (Pearson on average ranks, so ties are handled), to compare head
/// orderings: budgets depend on the ranking of heads more than on the scale of their scores.</summary>
public static class RankStatistics
{
    public static double Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"Lengths differ: {a.Count} vs {b.Count}.");
        return Pearson(Ranks(a), Ranks(b));
    }

    public static double[] Ranks(IReadOnlyList<double> x)
    {
        var order = Enumerable.Range(0, x.Count).OrderBy(i => x[i]).ToArray();
        var ranks = new double[x.Count];
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && x[order[end + 1]] == x[order[start]]) end++;
            var avg = (start + end) / 2.0 + 1;
            for (var k = start; k <= end; k++) ranks[order[k]] = avg;
            start = end + 1;
        }
        return ranks;
    }

    public static double Pearson(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var n = a.Count;
        var ma = a.Average();
        var mb = b.Average();
        double cov = 0, va = 0, vb = 0;
        for (var i = 0; i < n; i++)
        {
            cov += (a[i] - ma) * (b[i] - mb);
            va += (a[i] - ma) * (a[i] - ma);
            vb += (b[i] - mb) * (b[i] - mb);
        }
        // Constant inputs have no ranking to agree with: NaN rather than a made-up 0 or 1.
        return va == 0 || vb == 0 ? double.NaN : cov / Math.Sqrt(va * vb);
    }
}
