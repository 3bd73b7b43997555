using static TorchSharp.torch;

namespace CoKv.Compression;

/// <summary>
/// Ada-SnapKV (Feng et al. 2024, "Ada-KV: Optimizing KV Cache Eviction by Adaptive Budget Allocation"): per layer, the
/// top kvHeads·(B − w) SnapKV scores over all the layer's heads decide how many tokens each head keeps
/// (c_h = its count among them), with a floor α·(B − w) for every head: b_h = c_h·(1 − α) + α·(B − w) + w.
/// </summary>
public sealed class AdaSnapKvPolicy(double floor = 0.2) : IBudgetPolicy
{
    public double Floor { get; } = floor is >= 0 and <= 1 ? floor : throw new ArgumentOutOfRangeException(nameof(floor), floor, "α must lie in [0, 1].");
    public string Name => BudgetPolicies.Ada;
    public bool NeedsTokenScores => true;

    public int[] Allocate(BudgetContext context)
    {
        var scores = context.TokenScores ?? throw new ArgumentException("Ada-SnapKV needs the SnapKV token scores of every layer.", nameof(context));
        int extra = Math.Max(0, context.MeanBudget - context.Window);
        var budgets = new int[context.Players];
        for (int l = 0; l < context.Layers; l++)
        {
            using var scope = NewDisposeScope();
            var layer = scores[l];
            long prefix = layer.shape[1];
            long take = Math.Min((long)context.KvHeads * extra, context.KvHeads * prefix);
            var counts = new double[context.KvHeads];
            if (take > 0)
            {
                var top = layer.flatten().topk((int)take, sorted: false).indexes.div(prefix, rounding_mode: RoundingMode.floor);
                var perHead = top.bincount(null, context.KvHeads).data<long>().ToArray();
                for (int h = 0; h < context.KvHeads; h++) counts[h] = perHead[h];
            }
            // Σ weights = kvHeads·extra, so apportioning keeps the layer's total exact while every head keeps its floor.
            var weights = counts.Select(c => c * (1 - Floor) + Floor * extra).ToArray();
            var shares = BudgetMath.Apportion(weights, (long)context.KvHeads * extra, (int)Math.Max(1, prefix));
            for (int h = 0; h < context.KvHeads; h++) budgets[l * context.KvHeads + h] = shares[h] + context.Window;
        }
        return budgets;
    }
}
