namespace CoKv.Generation;

public enum FinishReason { Stop, Length, Cancelled }

/// <summary>Times and memory of one request.</summary>
public sealed record GenerationStats
{
    public int PromptTokens { get; init; }
    /// <summary>Prompt tokens served from a reused cache instead of being prefilled.</summary>
    public int ReusedPromptTokens { get; init; }
    public int GeneratedTokens { get; init; }
    public TimeSpan Prefill { get; init; }
    /// <summary>The look-ahead's decode steps and the compression, together.</summary>
    public TimeSpan Compression { get; init; }
    /// <summary>Answer tokens decoded on the full cache before compressing, for their queries only, then forgotten.</summary>
    public int LookaheadTokens { get; init; }
    public TimeSpan Decode { get; init; }
    public long KvBytes { get; init; }
    public long KvBytesFullCache { get; init; }
    /// <summary>What the compressor did (policy, budgets), or null for a full cache.</summary>
    public CoKv.Compression.CompressionReport? CompressionReport { get; init; }

    public double PrefillTokensPerSecond => Prefill.TotalSeconds > 0 ? (PromptTokens - ReusedPromptTokens) / Prefill.TotalSeconds : 0;
    public double DecodeTokensPerSecond => Decode.TotalSeconds > 0 ? GeneratedTokens / Decode.TotalSeconds : 0;
}

/// <summary>The whole answer, once generation has ended.</summary>
public sealed record GenerationResult(string Text, IReadOnlyList<int> Tokens, FinishReason FinishReason, GenerationStats Stats);

/// <summary>
/// One item of a generation stream: new text as it becomes final (stop strings held back until they are ruled out),
/// and, last of all, the result.
/// </summary>
public sealed record GenerationUpdate(string TextDelta, int? TokenId, GenerationResult? Final = null);
