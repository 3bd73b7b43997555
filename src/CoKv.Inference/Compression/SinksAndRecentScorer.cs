using CoKv.Cache;
using static TorchSharp.torch;

namespace CoKv.Compression;

/// <summary>
/// StreamingLLM's ranking (Xiao et al. 2024, "Efficient Streaming Language Models with Attention Sinks"): the first
/// <see cref="SinkTokens"/> tokens (attention sinks) first, then by recency. Reads positions only: no scoring pass.
/// </summary>
public sealed class SinksAndRecentScorer(int sinkTokens = SinksAndRecentScorer.DefaultSinkTokens) : ITokenScorer
{
    public const int DefaultSinkTokens = 4;

    public int SinkTokens { get; } = sinkTokens >= 0 ? sinkTokens : throw new ArgumentOutOfRangeException(nameof(sinkTokens), sinkTokens, "Sink tokens cannot be negative.");
    public string Name => TokenScorers.SinksAndRecent;
    public bool ReadsWindowQueries => false;

    public Tensor Score(DenseKvCache dense, int layer, int window) =>
        Ranks(dense.KvHeadCount, checked((int)dense.Length) - window, SinkTokens);

    /// <summary>One row per head: sinks above every other position, the rest rising with position.</summary>
    public static Tensor Ranks(int kvHeads, int prefix, int sinkTokens)
    {
        using var scope = NewDisposeScope();
        var rank = arange(prefix, dtype: ScalarType.Float32);
        rank.narrow(0, 0, Math.Min(sinkTokens, prefix)).add_(prefix + 1);
        return rank.unsqueeze(0).expand(kvHeads, prefix).contiguous().MoveToOuterDisposeScope();
    }
}
