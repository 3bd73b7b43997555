namespace CoKv.Compression;

/// <summary>
/// StreamingLLM (Xiao et al. 2024, "Efficient Streaming Language Models with Attention Sinks"): every head keeps B tokens;
/// which ones (the sinks and the most recent) is its scorer's part, <see cref="SinksAndRecentScorer"/>. The cheap baseline.
/// </summary>
public sealed class StreamingLlmPolicy : IBudgetPolicy
{
    public string Name => BudgetPolicies.Streaming;
    public bool NeedsTokenScores => false;
    public int[] Allocate(BudgetContext context) => BudgetMath.Uniform(context);
}
