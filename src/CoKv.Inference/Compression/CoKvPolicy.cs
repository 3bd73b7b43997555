using CoKv.Profiles;

namespace CoKv.Compression;

/// <summary>
/// CoKV (Sun et al. 2025, "CoKV: Optimizing KV Cache Allocation via Cooperative Game"): budgets from each head's
/// Sliced Shapley value, globally over all layers. With t the k-th smallest value, CC'_i = max(SSV_i − t, 0) and
/// b_i = CC'_i / ΣCC' · (B − w)·N + w: the k lowest heads keep only the window. Rounding by largest remainder (the
/// paper floors), so the budgets add up to N·B exactly; a head's share above the prompt goes to the others.
/// </summary>
public sealed class CoKvPolicy : IBudgetPolicy
{
    /// <summary>Default share of the N heads that get no budget beyond the window.</summary>
    public const double DefaultZeroFraction = 0.25;

    public CoKvPolicy(HeadScores shapleyValues, double zeroFraction = DefaultZeroFraction)
    {
        Scores = shapleyValues ?? throw new ArgumentNullException(nameof(shapleyValues));
        if (zeroFraction is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(zeroFraction), zeroFraction, "The zero-budget fraction must lie in [0, 1).");
        ZeroFraction = zeroFraction;
    }

    public HeadScores Scores { get; }

    /// <summary>k = ⌊fraction · N⌋ heads keep only the window (at least one, so t is defined).</summary>
    public double ZeroFraction { get; }

    public string Name => BudgetPolicies.Cokv;
    public bool NeedsTokenScores => false;

    /// <summary>How many heads keep only the window.</summary>
    public int ZeroBudgetHeads(int players) => Math.Clamp((int)Math.Floor(ZeroFraction * players), 1, players);

    public int[] Allocate(BudgetContext context)
    {
        ProfileShape.Require(Scores, context, "CoKV Shapley values");
        BudgetMath.RequireFinite(Scores.Values, "Shapley value");
        // Scaled to [-1, 1] first: v − t of two finite values can overflow (1e308 − (−1e308)); the shares only need ratios.
        double scale = Scores.Values.Max(Math.Abs);
        var values = scale > 0 ? Scores.Values.Select(v => v / scale).ToArray() : Scores.Values;
        int k = ZeroBudgetHeads(values.Length);
        double threshold = values.Order().ElementAt(k - 1);
        var shifted = values.Select(v => Math.Max(v - threshold, 0)).ToArray();
        if (shifted.All(s => s == 0)) return BudgetMath.Uniform(context); // every head scored alike: nothing to prefer
        return BudgetMath.WindowPlusShares(context, shifted);
    }
}
