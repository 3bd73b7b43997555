using CoKv.Cache;
using static TorchSharp.torch;

namespace CoKv.Compression;

/// <summary>How the kept queries' attention to a position is combined.</summary>
public enum QueryAggregate
{
    /// <summary>The mean over the kept query rows (H2O's accumulated attention, per query).</summary>
    Mean,

    /// <summary>The largest: a position one later token reads sharply outranks one many read a little.</summary>
    Max,

    /// <summary>
    /// Chain following (mixed with the window's votes only, <see cref="PromptAttentionScorer.Follow"/>): a position
    /// scores what its own query reads of the positions already voted for, so a hop that copies from a kept hop is
    /// kept too, one hop per round.
    /// </summary>
    Follow,
}

/// <summary>
/// A query-agnostic ranking: the attention the prompt's own tokens pay to each position (H2O's accumulated attention,
/// Zhang et al. 2023), estimated from the queries of every <see cref="Stride"/>-th prompt position that the dense cache
/// kept during prefill. Attention within <see cref="Band"/> positions of its query is not counted: every query looks at
/// its nearest predecessors, which would otherwise rank positions by how close they sit to a sampled query. What is
/// left is what later text reads back, e.g. the earlier hop a multi-hop chain copies from, which the question never names.
/// Score of key j = the mean (or the max, <see cref="Aggregate"/>) over kept queries i and the query heads sharing the
/// KV head of a(i, j) · [pos(i) − j &gt; Band].
/// </summary>
public sealed class PromptAttentionScorer : ITokenScorer
{
    public const int DefaultStride = 8;
    public const int DefaultBand = 32;
    const int QueryChunk = 256;

    public PromptAttentionScorer(int stride = DefaultStride, int band = DefaultBand, QueryAggregate aggregate = QueryAggregate.Mean)
    {
        if (!Enum.IsDefined(aggregate)) throw new ArgumentOutOfRangeException(nameof(aggregate), aggregate, "Unknown aggregate.");
        Aggregate = aggregate;
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, "The query stride must be ≥ 1.");
        if (band < 0) throw new ArgumentOutOfRangeException(nameof(band), band, "The local band must be ≥ 0.");
        Stride = stride;
        Band = band;
    }

    /// <summary>S: the queries of positions S − 1, 2S − 1, ... vote.</summary>
    public int Stride { get; }

    /// <summary>D: attention from a query to positions at most D before it is left out.</summary>
    public int Band { get; }

    public QueryAggregate Aggregate { get; }

    public string Name => TokenScorers.PromptAttention;
    public bool ReadsWindowQueries => false;
    public int QueryStride => Stride;

    public Tensor Score(DenseKvCache dense, int layer, int window)
    {
        if (Aggregate == QueryAggregate.Follow)
            throw new InvalidOperationException($"The '{nameof(QueryAggregate.Follow)}' aggregate needs the window's votes: use it through SnapKV's options.");
        EnsureQueries(dense);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var keys = dense.Keys(layer).to(ScalarType.Float32);
        long length = keys.shape[1], kvHeads = keys.shape[0], dim = keys.shape[2], prefix = length - window;
        if (prefix < 0) throw new ArgumentOutOfRangeException(nameof(window), window, $"The window exceeds the prompt's {length} tokens.");
        var (queries, positions) = dense.StridedQueries(layer);
        var total = zeros(kvHeads, length, dtype: ScalarType.Float32);
        if (positions.Length == 0) return total.narrow(1, 0, prefix).contiguous().MoveToOuterDisposeScope();
        long heads = queries.shape[0], group = heads / kvHeads;
        var columns = arange(length, dtype: ScalarType.Int64).unsqueeze(0); // [1, T]
        var keysT = keys.transpose(1, 2);
        for (int start = 0; start < positions.Length; start += QueryChunk)
        {
            using var chunkScope = NewDisposeScope();
            int n = Math.Min(QueryChunk, positions.Length - start);
            var rows = queries.narrow(1, start, n).to(ScalarType.Float32).reshape(kvHeads, group * n, dim);
            // Query heads sharing a KV head sit next to each other, so the rows run (head in group, query).
            var pos = tensor(positions.AsSpan(start, n).ToArray()).repeat(group).unsqueeze(1); // [group·n, 1]
            var weights = rows.matmul(keysT).mul_(1.0 / Math.Sqrt(dim));
            weights.masked_fill_(columns.gt(pos).unsqueeze(0), double.NegativeInfinity);
            var far = columns.lt(pos.sub(Band)).unsqueeze(0).to(ScalarType.Float32); // pos − j > Band
            var counted = weights.softmax(-1).mul_(far);
            if (Aggregate == QueryAggregate.Max) total.copy_(total.maximum(counted.amax([1])));
            else total.add_(counted.sum([1]));
        }
        if (Aggregate == QueryAggregate.Mean) total.div_(group * positions.Length);
        return total.narrow(1, 0, prefix).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Sinks never pass a vote on: every query reads them, whatever it is about.</summary>
    const int Sinks = 4;

    /// <summary>
    /// Votes [kvHeads, T − w] extended along chains, <paramref name="rounds"/> times: v ← votes + λ · r, where
    /// r(j) = the mean over the query heads sharing the KV head of Σ_i a(j, i) · v(i) over i with j − i &gt; Band (the
    /// first positions, sinks, left out) for every kept query position j, given to j and to j + 1 (the token a copy
    /// reads comes right after the name its query looked up).
    /// </summary>
    public Tensor Follow(DenseKvCache dense, int layer, int window, Tensor votes, double weight, int rounds)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(votes);
        EnsureQueries(dense);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var keys = dense.Keys(layer).to(ScalarType.Float32);
        long length = keys.shape[1], kvHeads = keys.shape[0], dim = keys.shape[2], prefix = length - window;
        var (queries, positions) = dense.StridedQueries(layer);
        if (positions.Length == 0 || prefix <= 0) return votes.alias().MoveToOuterDisposeScope();
        long heads = queries.shape[0], group = heads / kvHeads;
        var columns = arange(length, dtype: ScalarType.Int64).unsqueeze(0);
        var keysT = keys.transpose(1, 2);
        var current = votes;
        for (int round = 0; round < rounds; round++)
        {
            var passed = zeros(kvHeads, length, dtype: ScalarType.Float32);
            passed.narrow(1, 0, prefix).copy_(current);
            passed.narrow(1, 0, Math.Min(Sinks, prefix)).zero_();
            var reads = zeros(kvHeads, length + 1, dtype: ScalarType.Float32);
            for (int start = 0; start < positions.Length; start += QueryChunk)
            {
                using var chunkScope = NewDisposeScope();
                int n = Math.Min(QueryChunk, positions.Length - start);
                var at = tensor(positions.AsSpan(start, n).ToArray());
                var rows = queries.narrow(1, start, n).to(ScalarType.Float32).reshape(kvHeads, group * n, dim);
                var pos = at.repeat(group).unsqueeze(1);
                var weights = rows.matmul(keysT).mul_(1.0 / Math.Sqrt(dim));
                weights.masked_fill_(columns.gt(pos).unsqueeze(0), double.NegativeInfinity);
                var far = columns.lt(pos.sub(Band)).unsqueeze(0).to(ScalarType.Float32);
                var read = weights.softmax(-1).mul_(far).matmul(passed.unsqueeze(2)).reshape(kvHeads, group, n).mean([1]); // [kvHeads, n]
                reads.index_add_(1, at, read, 1.0);
                reads.index_add_(1, at.add(1), read, 1.0);
            }
            current = votes.add(reads.narrow(1, 0, prefix).mul_(weight));
        }
        return current.MoveToOuterDisposeScope();
    }

    void EnsureQueries(DenseKvCache dense)
    {
        ArgumentNullException.ThrowIfNull(dense);
        if (dense.QueryStride != Stride)
            throw new InvalidOperationException($"The '{Name}' scorer reads the prompt queries of every {Stride}th position: create the dense cache with queryStride = {Stride} (it has {dense.QueryStride}).");
    }
}
