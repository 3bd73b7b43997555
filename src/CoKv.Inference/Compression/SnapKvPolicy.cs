namespace CoKv.Compression;

/// <summary>SnapKV (Li et al. 2024): the same budget B for every head of every layer; tokens chosen by window votes.</summary>
public sealed class SnapKvPolicy : IBudgetPolicy
{
    public string Name => BudgetPolicies.SnapKv;
    public bool NeedsTokenScores => false;
    public int[] Allocate(BudgetContext context) => BudgetMath.Uniform(context);
}
