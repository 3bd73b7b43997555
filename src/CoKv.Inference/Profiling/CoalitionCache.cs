using CoKv.Cache;
using CoKv.Compression;

namespace CoKv.Profiling;

/// <summary>
/// The cache of a coalition, made by the production compressor: <see cref="FixedBudgetsPolicy"/> gives heads in the
/// coalition an unbounded budget (they keep the whole prompt) and the others none beyond the window (the last w
/// tokens). The compressor skips SnapKV scoring for such full-or-window budgets, so this costs one copy.
/// </summary>
public static class CoalitionCache
{
    public static IKvCache Build(DenseKvCache dense, IReadOnlyList<bool> fullHeads, int window, int reserve)
    {
        if (fullHeads.Count != dense.LayerCount * dense.KvHeadCount)
            throw new ArgumentException($"{fullHeads.Count} flags for {dense.LayerCount} x {dense.KvHeadCount} heads.", nameof(fullHeads));
        var budgets = fullHeads.Select(full => full ? FixedBudgetsPolicy.Full : 0).ToArray();
        var compressor = HeadBudgetCompressor.WithSnapKv(new FixedBudgetsPolicy(budgets, "coalition"), meanBudget: 1, new SnapKvOptions { Window = window }, reserve);
        return compressor.Compress(dense).Cache;
    }
}
