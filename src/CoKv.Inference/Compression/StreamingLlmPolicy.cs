namespace CoKv.Compression;

/// <summary>
/// StreamingLLM (Xiao et al. 2024, "Efficient Streaming Language Models with Attention Sinks"): every head keeps the
/// first <see cref="SinkTokens"/> tokens and the most recent ones, B in all. No scoring pass: the cheap baseline.
/// </summary>
public sealed class StreamingLlmPolicy(int sinkTokens = 4) : IBudgetPolicy
{
    public int SinkTokens { get; } = sinkTokens >= 0 ? sinkTokens : throw new ArgumentOutOfRangeException(nameof(sinkTokens));
    public string Name => "streaming";
    public TokenScoring Scoring => TokenScoring.SinksAndRecent;
    public bool NeedsTokenScores => false;
    public int[] Allocate(BudgetContext context) => BudgetMath.Uniform(context);
}
