namespace CoKv.Compression;

/// <summary>No eviction: every head keeps the whole prompt (the reference the others are compared with).</summary>
public sealed class FullCachePolicy : IBudgetPolicy
{
    public string Name => "full";
    public TokenScoring Scoring => TokenScoring.SinksAndRecent;
    public bool NeedsTokenScores => false;
    public int[] Allocate(BudgetContext context) => Enumerable.Repeat(context.PromptLength, context.Players).ToArray();
}
