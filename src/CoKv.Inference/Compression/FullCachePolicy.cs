namespace CoKv.Compression;

/// <summary>No eviction: every head keeps the whole prompt (the reference the others are compared with).</summary>
public sealed class FullCachePolicy : IBudgetPolicy
{
    public string Name => BudgetPolicies.Full;
    public bool NeedsTokenScores => false;
    public int[] Allocate(BudgetContext context) => Enumerable.Repeat(context.PromptLength, context.Players).ToArray();
}
