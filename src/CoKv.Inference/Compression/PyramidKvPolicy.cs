namespace CoKv.Compression;

/// <summary>
/// PyramidKV (Cai et al. 2024, "PyramidKV: Dynamic KV Cache Compression based on Pyramidal Information Funneling"):
/// lower layers keep more, upper layers less, linearly from max = 2B' − B'/β to min = B'/β with B' = B − w, plus the
/// window (as PyramidKV's code applies the pyramid to the budget beyond the window, so no layer drops below it).
/// </summary>
public sealed class PyramidKvPolicy(double beta = 20) : IBudgetPolicy
{
    public double Beta { get; } = beta > 0 ? beta : throw new ArgumentOutOfRangeException(nameof(beta), beta, "β must be positive.");
    public string Name => BudgetPolicies.Pyramid;
    public bool NeedsTokenScores => false;

    public int[] Allocate(BudgetContext context)
    {
        double extra = Math.Max(0, context.MeanBudget - context.Window);
        double min = extra / Beta, max = 2 * extra - min;
        var weights = new double[context.Players];
        for (int l = 0; l < context.Layers; l++)
        {
            double layerBudget = context.Layers == 1 ? extra : max - l * (max - min) / (context.Layers - 1);
            for (int h = 0; h < context.KvHeads; h++) weights[l * context.KvHeads + h] = layerBudget;
        }
        return BudgetMath.WindowPlusShares(context, weights);
    }
}
