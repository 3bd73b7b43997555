using CoKv.Cache;
using static TorchSharp.torch;

namespace CoKv.Profiling;

/// <summary>
/// A full cache that also measures, per (layer, KV head), how much attention changes what the head reads: the mean
/// over positions and over the head's query heads of 1 − cos(v_t, o_t), where v_t is the head's value vector at
/// position t (its input, in the head's own space) and o_t the attention output of a query head of its group. A head
/// that mostly returns the current token's value changes little and needs little cache (BaKlaVa's measure). Sees every
/// layer through <see cref="IKvCache.Attend"/>, so the decoder needs no hooks.
/// </summary>
public sealed class AttentionProbeCache : IKvCache
{
    readonly DenseKvCache _inner;
    readonly double[] _sums;
    readonly long[] _counts;

    public AttentionProbeCache(DenseKvCache inner)
    {
        _inner = inner;
        _sums = new double[inner.LayerCount * inner.KvHeadCount];
        _counts = new long[inner.LayerCount * inner.KvHeadCount];
    }

    public int LayerCount => _inner.LayerCount;
    public int KvHeadCount => _inner.KvHeadCount;

    public Tensor Attend(int layer, Tensor q, Tensor k, Tensor v)
    {
        using var scope = NewDisposeScope();
        var output = _inner.Attend(layer, q, k, v);
        long heads = q.shape[0], steps = q.shape[1], dim = q.shape[2], kvHeads = k.shape[0];
        var grouped = output.to(ScalarType.Float32).reshape(kvHeads, heads / kvHeads, steps, dim);
        var values = v.to(ScalarType.Float32).unsqueeze(1).expand_as(grouped);
        var change = 1 - nn.functional.cosine_similarity(grouped, values, dim: -1, eps: 1e-8); // [kvHeads, g, T]
        var perHead = change.sum([1, 2]).to(ScalarType.Float64).data<double>().ToArray();
        for (int h = 0; h < kvHeads; h++)
        {
            _sums[layer * kvHeads + h] += perHead[h];
            _counts[layer * kvHeads + h] += (heads / kvHeads) * steps;
        }
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>Mean 1 − cos per head, row-major, over everything seen so far.</summary>
    public double[] Importances() => _sums.Select((s, i) => _counts[i] == 0 ? 0 : s / _counts[i]).ToArray();

    public long TokenCount(int layer, int head) => _inner.TokenCount(layer, head);
    public long KeptBytes => _inner.KeptBytes;
    public long FullCacheBytes => _inner.FullCacheBytes;
    public long ReservedBytes => _inner.ReservedBytes;
    public void Dispose() => _inner.Dispose();
}
