using CoKv.Profiles;

namespace CoKv.Compression;

/// <summary>
/// BaKlaVa-style (Gulhan et al. 2025, "BaKlaVa — Budgeted Allocation of KV cache for Long-context Inference"): budgets
/// in proportion to a per-head importance measured once by profiling (1 − cos(input, output) of the head's attention).
/// <see cref="Strength"/> moves from uniform (0) to fully proportional (1): share_i = (1 − s)/N + s·imp_i/Σimp, applied
/// to N·(B − w) beyond every head's window. The search over s is the profiler's.
/// </summary>
public sealed class BaKlaVaPolicy : IBudgetPolicy
{
    public BaKlaVaPolicy(HeadScores importances, double strength = 1.0)
    {
        Importances = importances ?? throw new ArgumentNullException(nameof(importances));
        if (strength is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(strength), strength, "The redistribution strength must lie in [0, 1].");
        Strength = strength;
    }

    public HeadScores Importances { get; }
    public double Strength { get; }
    public string Name => BudgetPolicies.Baklava;
    public bool NeedsTokenScores => false;

    public int[] Allocate(BudgetContext context)
    {
        ProfileShape.Require(Importances, context, "BaKlaVa importances");
        BudgetMath.RequireFinite(Importances.Values, "importance");
        // Scaled by the largest first, so that the sum cannot overflow to ∞ (1e308 + 1e308).
        double largest = Importances.Values.Max();
        var positive = Importances.Values.Select(v => largest > 0 ? Math.Max(v, 0) / largest : 0).ToArray();
        double sum = positive.Sum();
        int n = positive.Length;
        var weights = positive.Select(v => (1 - Strength) / n + (sum > 0 ? Strength * v / sum : Strength / n)).ToArray();
        return BudgetMath.WindowPlusShares(context, weights);
    }
}
