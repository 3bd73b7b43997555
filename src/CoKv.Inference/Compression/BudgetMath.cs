namespace CoKv.Compression;

/// <summary>Integer budgets from real-valued shares, shared by the policies.</summary>
public static class BudgetMath
{
    /// <summary>
    /// Splits <paramref name="total"/> tokens in proportion to <paramref name="weights"/> (negative ones count as 0; all 0
    /// means equal shares), no item above <paramref name="cap"/>: what a capped item cannot take goes to the others
    /// (water-filling). Rounds by largest remainder, so the result sums to min(total, cap · count) exactly. Weights are
    /// scaled by the largest first, so any finite weights work (1e308 included); NaN and ±∞ are refused.
    /// </summary>
    public static int[] Apportion(IReadOnlyList<double> weights, long total, int cap)
    {
        int n = weights.Count;
        var result = new int[n];
        RequireFinite(weights, "weight");
        if (n == 0 || total <= 0 || cap <= 0) return result;
        double largest = weights.Max();
        if (largest > 0 && largest != 1) weights = weights.Select(w => w / largest).ToArray();
        total = Math.Min(total, (long)cap * n);
        var shares = new double[n];
        var capped = new bool[n];
        double remaining = total;
        while (true)
        {
            double weightSum = 0;
            int open = 0;
            for (int i = 0; i < n; i++)
                if (!capped[i]) { weightSum += Math.Max(0, weights[i]); open++; }
            if (open == 0) break;
            bool newlyCapped = false;
            for (int i = 0; i < n; i++)
            {
                if (capped[i]) continue;
                shares[i] = weightSum > 0 ? remaining * Math.Max(0, weights[i]) / weightSum : remaining / open;
                if (shares[i] > cap) { shares[i] = cap; capped[i] = true; remaining -= cap; newlyCapped = true; }
            }
            if (!newlyCapped) break;
        }
        long assigned = 0;
        for (int i = 0; i < n; i++) { result[i] = (int)Math.Floor(shares[i] + 1e-9); assigned += result[i]; }
        foreach (int i in Enumerable.Range(0, n).OrderByDescending(i => shares[i] - result[i]).ThenBy(i => i))
        {
            if (assigned >= total) break;
            if (result[i] < cap) { result[i]++; assigned++; }
        }
        return result;
    }

    /// <summary>Refuses NaN and ±∞ with the first offending index: no budget can be derived from them.</summary>
    public static void RequireFinite(IReadOnlyList<double> values, string what)
    {
        for (int i = 0; i < values.Count; i++)
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"{what} {i} is {values[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}; budgets need finite {what}s (a profile or score with NaN or infinity is corrupt).", nameof(values));
    }

    /// <summary>The same budget for every head.</summary>
    public static int[] Uniform(BudgetContext context) => Enumerable.Repeat(context.MeanBudget, context.Players).ToArray();

    /// <summary>Window plus an apportioned share of the players' prefix budget N·(B − w).</summary>
    public static int[] WindowPlusShares(BudgetContext context, IReadOnlyList<double> weights)
    {
        long prefixBudget = (long)context.Players * Math.Max(0, context.MeanBudget - context.Window);
        var shares = Apportion(weights, prefixBudget, Math.Max(1, context.Prefix));
        return shares.Select(s => s + context.Window).ToArray();
    }
}
