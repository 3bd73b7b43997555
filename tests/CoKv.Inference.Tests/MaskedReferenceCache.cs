using CoKv.Cache;
using static TorchSharp.torch;

namespace CoKv.Tests;

/// <summary>
/// A test-only cache that keeps every token and computes attention with plain loops in double precision: query head h
/// reads KV head h / g (g = heads / kvHeads, as Hugging Face's repeat_kv), softmax(q·k/√d) over the positions it may see.
/// Until <see cref="Restrict"/> it sees every earlier token (full causal attention); after, KV head j of layer l sees only
/// the prompt positions given for (l, j) and every token appended since, causally. That is the definition a
/// head-budgeted cache has to meet, written without its layout, offsets or masks.
/// </summary>
sealed class MaskedReferenceCache(int layers, int kvHeads, int headDim) : IKvCache
{
    readonly List<float[]>[] _keys = Enumerable.Range(0, layers * kvHeads).Select(_ => new List<float[]>()).ToArray();
    readonly List<float[]>[] _values = Enumerable.Range(0, layers * kvHeads).Select(_ => new List<float[]>()).ToArray();
    HashSet<long>[]? _kept;
    long _promptLength;

    public int LayerCount => layers;
    public int KvHeadCount => kvHeads;

    /// <summary>From now on head (l, j) sees only the prompt positions <paramref name="positions"/>[l·kvHeads + j].</summary>
    public void Restrict(IReadOnlyList<long[]> positions)
    {
        Assert.Equal(layers * kvHeads, positions.Count);
        _promptLength = _keys[^1].Count;
        _kept = positions.Select(p => p.ToHashSet()).ToArray();
    }

    public Tensor Attend(int layer, Tensor q, Tensor k, Tensor v)
    {
        int heads = (int)q.shape[0], steps = (int)q.shape[1], group = heads / kvHeads;
        var qs = Floats(q);
        var ks = Floats(k);
        var vs = Floats(v);
        int before = _keys[layer * kvHeads].Count;
        for (int j = 0; j < kvHeads; j++)
            for (int t = 0; t < steps; t++)
            {
                _keys[layer * kvHeads + j].Add(ks.AsSpan((j * steps + t) * headDim, headDim).ToArray());
                _values[layer * kvHeads + j].Add(vs.AsSpan((j * steps + t) * headDim, headDim).ToArray());
            }

        var output = new float[heads * steps * headDim];
        for (int h = 0; h < heads; h++)
        {
            int j = h / group;
            var keys = _keys[layer * kvHeads + j];
            var values = _values[layer * kvHeads + j];
            for (int t = 0; t < steps; t++)
            {
                var query = qs.AsSpan((h * steps + t) * headDim, headDim);
                var seen = new List<int>();
                for (int p = 0; p <= before + t; p++)
                    if (Visible(layer, j, p)) seen.Add(p);
                var weights = new double[seen.Count];
                double max = double.NegativeInfinity;
                for (int i = 0; i < seen.Count; i++)
                {
                    double dot = 0;
                    for (int d = 0; d < headDim; d++) dot += (double)query[d] * keys[seen[i]][d];
                    weights[i] = dot / Math.Sqrt(headDim);
                    max = Math.Max(max, weights[i]);
                }
                double sum = 0;
                for (int i = 0; i < seen.Count; i++) { weights[i] = Math.Exp(weights[i] - max); sum += weights[i]; }
                for (int d = 0; d < headDim; d++)
                {
                    double acc = 0;
                    for (int i = 0; i < seen.Count; i++) acc += weights[i] / sum * values[seen[i]][d];
                    output[(h * steps + t) * headDim + d] = (float)acc;
                }
            }
        }
        return tensor(output, new long[] { heads, steps, headDim }).to(q.dtype);
    }

    bool Visible(int layer, int head, int position) =>
        _kept is null || position >= _promptLength || _kept[layer * kvHeads + head].Contains(position);

    static float[] Floats(Tensor t) => t.to(ScalarType.Float32).contiguous().data<float>().ToArray();

    public long TokenCount(int layer, int head) =>
        _kept is null ? _keys[layer * kvHeads + head].Count : _kept[layer * kvHeads + head].Count + _keys[layer * kvHeads + head].Count - _promptLength;

    public long KeptBytes => Enumerable.Range(0, layers * kvHeads).Sum(i => TokenCount(i / kvHeads, i % kvHeads)) * 2L * headDim * sizeof(float);
    public long FullCacheBytes => _keys.Sum(k => (long)k.Count) * 2L * headDim * sizeof(float);
    public long ReservedBytes => KeptBytes;

    public void Dispose() { }
}
