using CoKv.Cache;
using static TorchSharp.torch;

namespace CoKv.Compression;

/// <summary>
/// SnapKV token scores (Li et al. 2024, "SnapKV: LLM Knows What You are Looking for Before Generation"): the attention
/// of the prompt's last w queries over the prefix, averaged over those queries and over the query heads sharing a KV
/// head, then pooled along positions so that neighbours of a strong token survive with it. Only the window's w rows
/// of attention are computed (w·T, never T×T), from the queries the dense cache remembered during a chunked prefill.
/// </summary>
public sealed class SnapKvScorer : ITokenScorer
{
    readonly PromptAttentionScorer? _prompt;
    float[]? _spread; // the spread prior of the last prefix length: every layer of a prompt shares it

    public SnapKvScorer(SnapKvOptions? options = null)
    {
        Options = Validated(options ?? new SnapKvOptions());
        if (Options.PromptQueryWeight > 0) _prompt = new PromptAttentionScorer(Options.PromptQueryStride, Options.PromptQueryBand, Options.PromptQueryAggregate);
    }

    public SnapKvOptions Options { get; }
    public string Name => TokenScorers.SnapKv;
    public bool ReadsWindowQueries => true;
    public int QueryStride => _prompt?.Stride ?? 0;
    public int Lookahead => Options.Lookahead;

    /// <summary>
    /// Scores [kvHeads, T − w] (f32) of one layer's prefix positions, w = min(Window, queries remembered, T − 1).
    /// Higher is more important. Returns an empty second dimension when the prompt fits in the window.
    /// </summary>
    public Tensor Score(DenseKvCache dense, int layer) =>
        Score(dense, layer, (int)EffectiveWindow(Options.Window, dense.WindowQueries(layer).shape[1], dense.Length));

    /// <summary>The same scores for a window the caller fixed (at most the queries remembered and the prompt length).</summary>
    public Tensor Score(DenseKvCache dense, int layer, int window)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var queries = dense.WindowQueries(layer);
        var keys = dense.Keys(layer);
        long length = keys.shape[1], kvHeads = keys.shape[0], dim = keys.shape[2];
        if (window < 1 || window > queries.shape[1] || window > length)
            throw new ArgumentOutOfRangeException(nameof(window), window, $"The window must lie in [1, {Math.Min(queries.shape[1], length)}] (queries remembered, prompt length).");
        long heads = queries.shape[0], group = heads / kvHeads;

        var rows = queries.narrow(1, queries.shape[1] - window, window).to(ScalarType.Float32).reshape(kvHeads, group * window, dim);
        var weights = rows.matmul(keys.to(ScalarType.Float32).transpose(1, 2)).mul_(1.0 / Math.Sqrt(dim));
        weights.masked_fill_(GroupedAttention.CausalMask(group, window, length, keys.device).logical_not(), double.NegativeInfinity);
        var votes = weights.softmax(-1).mean([1]).narrow(1, 0, length - window); // [kvHeads, prefix]
        if (Options.Lookahead > 0 && dense.LookaheadQueries(layer) is { } ahead && length > window)
            votes = WithLookahead(votes, group * window, ahead, keys, length - window);
        if (_prompt is not null && length > window)
            votes = Options.PromptQueryAggregate == QueryAggregate.Follow
                ? _prompt.Follow(dense, layer, window, votes, Options.PromptQueryWeight, Options.PromptQueryRounds)
                : votes.add(PromptTerm(dense, layer, window, votes));
        if (Options.SpreadWeight > 0 && length > window)
            votes = votes.add(Spread(length - window).to(votes.device).unsqueeze(0).mul(votes.mean([1], keepdim: true)).mul_(Options.SpreadWeight));
        var pooled = Pool(votes);
        if (Options.KeyNormWeight > 0 && length > window) pooled = pooled.add(KeyNormTerm(keys, length - window, pooled));
        return pooled.MoveToOuterDisposeScope();
    }

    /// <summary>The window actually used for a prompt of <paramref name="length"/> tokens with <paramref name="remembered"/> queries.</summary>
    public static long EffectiveWindow(int window, long remembered, long length) =>
        Math.Max(1, Math.Min(Math.Min(window, remembered), length));

    /// <summary>
    /// The look-ahead queries join the window: the mean over all rows, each look-ahead query's attention taken over the
    /// prompt alone (its own look-ahead tokens are forgotten by now).
    /// </summary>
    static Tensor WithLookahead(Tensor windowVotes, long windowRows, Tensor ahead, Tensor keys, long prefix)
    {
        long kvHeads = keys.shape[0], dim = keys.shape[2], rows = ahead.shape[0] / kvHeads * ahead.shape[1];
        var queries = ahead.to(ScalarType.Float32).reshape(kvHeads, rows, dim);
        var weights = queries.matmul(keys.to(ScalarType.Float32).transpose(1, 2)).mul_(1.0 / Math.Sqrt(dim));
        var aheadVotes = weights.softmax(-1).mean([1]).narrow(1, 0, prefix);
        return windowVotes.mul(windowRows).add_(aheadVotes.mul_(rows)).div_(windowRows + rows);
    }

    Tensor Spread(long prefix)
    {
        var spread = _spread;
        if (spread is null || spread.Length != prefix) _spread = spread = SpreadPrior.Scores(prefix);
        return tensor(spread);
    }

    /// <summary>λ · mean vote · prompt score / its mean, per head over the prefix.</summary>
    Tensor PromptTerm(DenseKvCache dense, int layer, int window, Tensor votes)
    {
        var prompt = _prompt!.Score(dense, layer, window);
        return prompt.div(prompt.mean([1], keepdim: true).clamp_min(1e-12)).mul(votes.mean([1], keepdim: true)).mul(Options.PromptQueryWeight);
    }

    /// <summary>λ · mean vote · (max‖k‖ − ‖k‖) / (max‖k‖ − min‖k‖), per head over the prefix.</summary>
    Tensor KeyNormTerm(Tensor keys, long prefix, Tensor votes)
    {
        var norms = keys.narrow(1, 0, prefix).to(ScalarType.Float32).norm(-1); // [kvHeads, prefix]
        var max = norms.amax([1], keepdim: true);
        var min = norms.amin([1], keepdim: true);
        var u = max.sub(norms).div(max.sub(min).clamp_min(1e-12));
        return u.mul(votes.mean([1], keepdim: true)).mul(Options.KeyNormWeight);
    }

    Tensor Pool(Tensor votes)
    {
        if (Options.Pooling == PoolingKind.None || Options.Kernel == 1 || votes.shape[1] == 0) return votes.alias();
        long padding = Options.Kernel / 2;
        var input = votes.unsqueeze(0);
        var pooled = Options.Pooling == PoolingKind.Max
            ? nn.functional.max_pool1d(input, Options.Kernel, 1, padding)
            : nn.functional.avg_pool1d(input, Options.Kernel, 1, padding);
        return pooled.squeeze(0);
    }

    static SnapKvOptions Validated(SnapKvOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }
}
