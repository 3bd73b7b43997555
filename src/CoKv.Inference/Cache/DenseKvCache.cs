using CoKv.Kernels;
using static TorchSharp.torch;

namespace CoKv.Cache;

/// <summary>
/// The full cache: every KV head keeps every token, in one preallocated [kvHeads, capacity, headDim] buffer per layer,
/// so appending never copies. Prefill always runs on it; compression then builds a head-budgeted cache from it.
/// It also keeps the last <see cref="ObservationWindow"/> queries of each layer, which SnapKV scoring reads, and, when
/// <see cref="QueryStride"/> is set, the prefill queries of every S-th position, which the prompt-attention term reads.
/// After a look-ahead (<see cref="EndLookahead"/>) it also holds the queries of a few tokens decoded past the prompt,
/// whose own tokens it has forgotten.
/// </summary>
public sealed unsafe class DenseKvCache : IManagedDecodeCache
{
    readonly Tensor[] _keys, _values;
    readonly Tensor?[] _windowQueries;
    readonly Tensor?[] _lookaheadQueries;
    readonly List<(long Position, Tensor Query)>[] _stridedQueries;
    readonly long[] _lengths;
    readonly long _capacity;

    public DenseKvCache(int layers, int kvHeads, int headDim, long capacity, ScalarType dtype, int observationWindow = 0, int queryStride = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(queryStride);
        LayerCount = layers;
        KvHeadCount = kvHeads;
        HeadDim = headDim;
        DType = dtype;
        ObservationWindow = observationWindow;
        QueryStride = queryStride;
        _stridedQueries = Enumerable.Range(0, layers).Select(_ => new List<(long, Tensor)>()).ToArray();
        _capacity = capacity;
        _keys = new Tensor[layers];
        _values = new Tensor[layers];
        _windowQueries = new Tensor?[layers];
        _lookaheadQueries = new Tensor?[layers];
        _lengths = new long[layers];
        for (int l = 0; l < layers; l++)
        {
            _keys[l] = zeros(kvHeads, capacity, headDim, dtype);
            _values[l] = zeros(kvHeads, capacity, headDim, dtype);
        }
    }

    public int LayerCount { get; }
    public int KvHeadCount { get; }
    public int HeadDim { get; }
    public ScalarType DType { get; }
    public int ObservationWindow { get; }

    /// <summary>S: the prefill queries of positions p with p mod S = S − 1 are kept (0: none).</summary>
    public int QueryStride { get; }

    /// <summary>Tokens the buffers have room for.</summary>
    public long Capacity => _capacity;

    /// <summary>Tokens stored (the same for every head and layer once a step has run through all layers).</summary>
    public long Length => _lengths[^1];

    public Tensor Attend(int layer, Tensor q, Tensor k, Tensor v)
    {
        long start = _lengths[layer], steps = k.shape[1];
        if (start + steps > _capacity)
            throw new InvalidOperationException($"The KV cache holds {_capacity} tokens; {start + steps} were asked for.");
        using var scope = NewDisposeScope();
        _keys[layer].narrow(1, start, steps).copy_(k);
        _values[layer].narrow(1, start, steps).copy_(v);
        _lengths[layer] = start + steps;
        if (ObservationWindow > 0) RememberQueries(layer, q);
        if (QueryStride > 0) RememberStrided(layer, q, start);
        var keys = _keys[layer].narrow(1, 0, start + steps);
        var values = _values[layer].narrow(1, 0, start + steps);
        return GroupedAttention.Causal(q, keys, values).MoveToOuterDisposeScope();
    }

    public bool SupportsManagedDecode => DType == ScalarType.Float32;

    public void AppendOne(int layer, float* key, float* value, float* query, int heads, Span<HeadColumns> columns, out float* keys, out float* values)
    {
        long position = _lengths[layer];
        if (position + 1 > _capacity)
            throw new InvalidOperationException($"The KV cache holds {_capacity} tokens; {position + 1} were asked for.");
        keys = TensorMemory.Float32(_keys[layer]);
        values = TensorMemory.Float32(_values[layer]);
        for (int h = 0; h < KvHeadCount; h++)
        {
            long row = h * _capacity + position;
            new ReadOnlySpan<float>(key + h * HeadDim, HeadDim).CopyTo(new Span<float>(keys + row * HeadDim, HeadDim));
            new ReadOnlySpan<float>(value + h * HeadDim, HeadDim).CopyTo(new Span<float>(values + row * HeadDim, HeadDim));
            columns[h] = new HeadColumns((int)(h * _capacity), (int)position + 1, 0, 0, 0);
        }
        _lengths[layer] = position + 1;
        if (ObservationWindow > 0 || (QueryStride > 0 && position % QueryStride == QueryStride - 1))
        {
            using var scope = NewDisposeScope();
            var q = empty(heads, 1, HeadDim, ScalarType.Float32);
            new ReadOnlySpan<float>(query, heads * HeadDim).CopyTo(new Span<float>(TensorMemory.Float32(q), heads * HeadDim));
            if (ObservationWindow > 0) RememberQueries(layer, q);
            if (QueryStride > 0) RememberStrided(layer, q, position);
        }
    }

    /// <summary>Keys [kvHeads, Length, headDim] of a layer (a view: do not keep it past the cache's life).</summary>
    public Tensor Keys(int layer) => _keys[layer].narrow(1, 0, _lengths[layer]);

    public Tensor Values(int layer) => _values[layer].narrow(1, 0, _lengths[layer]);

    /// <summary>The last queries [heads, ≤w, headDim] that attended in this layer (RoPE applied).</summary>
    public Tensor WindowQueries(int layer) =>
        _windowQueries[layer] ?? throw new InvalidOperationException("No queries were observed: construct the cache with an observation window.");

    /// <summary>
    /// The strided prefill queries of a layer, [heads, n, headDim] (RoPE applied, a new tensor), and the position each
    /// was the query of, ascending; n = 0 when none were kept.
    /// </summary>
    public (Tensor Queries, long[] Positions) StridedQueries(int layer)
    {
        if (QueryStride <= 0) throw new InvalidOperationException("No strided queries were kept: construct the cache with a query stride.");
        var kept = _stridedQueries[layer];
        if (kept.Count == 0) return (empty(0), []);
        return (cat(kept.Select(k => k.Query).ToArray(), 1), kept.Select(k => k.Position).ToArray());
    }

    /// <summary>
    /// The queries [heads, n, headDim] (RoPE applied) of the n tokens decoded past the prompt before
    /// <see cref="EndLookahead"/> forgot them; null when there was no look-ahead.
    /// </summary>
    public Tensor? LookaheadQueries(int layer) => _lookaheadQueries[layer];

    /// <summary>
    /// Ends a look-ahead: the tokens past <paramref name="promptLength"/> were decoded only for their queries, which move
    /// from the observation window to <see cref="LookaheadQueries"/>; their keys and values are forgotten, and the window
    /// holds the prompt's last queries again. The cache must have remembered every look-ahead query (an observation
    /// window of at least the prompt's window plus the look-ahead).
    /// </summary>
    public void EndLookahead(long promptLength)
    {
        long ahead = Length - promptLength;
        if (promptLength <= 0 || ahead < 0)
            throw new ArgumentOutOfRangeException(nameof(promptLength), promptLength, $"The prompt length must lie in [1, {Length}] (tokens held).");
        for (int l = 0; l < LayerCount; l++)
        {
            _lookaheadQueries[l]?.Dispose();
            _lookaheadQueries[l] = null;
            var window = _windowQueries[l];
            if (ahead == 0 || window is null) continue;
            if (window.shape[1] < ahead)
                throw new InvalidOperationException($"The cache remembered {window.shape[1]} queries for a look-ahead of {ahead} tokens: create it with an observation window of the prompt's window plus the look-ahead.");
            using var scope = NewDisposeScope();
            long before = window.shape[1] - ahead;
            _lookaheadQueries[l] = window.narrow(1, before, ahead).clone().DetachFromDisposeScope();
            _windowQueries[l] = before > 0 ? window.narrow(1, 0, before).clone().DetachFromDisposeScope() : null;
            window.Dispose();
        }
        for (int l = 0; l < LayerCount; l++) _lengths[l] = Math.Min(_lengths[l], promptLength);
        foreach (var kept in _stridedQueries) Forget(kept, promptLength);
    }

    /// <summary>Forgets tokens past <paramref name="length"/>, so one prefill can serve several shorter contexts.</summary>
    public void Truncate(long length)
    {
        for (int l = 0; l < LayerCount; l++) _lengths[l] = Math.Min(_lengths[l], length);
        for (int l = 0; l < LayerCount; l++) { _windowQueries[l]?.Dispose(); _windowQueries[l] = null; }
        for (int l = 0; l < LayerCount; l++) { _lookaheadQueries[l]?.Dispose(); _lookaheadQueries[l] = null; }
        foreach (var kept in _stridedQueries) Forget(kept, length);
    }

    static void Forget(List<(long Position, Tensor Query)> kept, long length)
    {
        foreach (var (_, query) in kept.Where(k => k.Position >= length)) query.Dispose();
        kept.RemoveAll(k => k.Position >= length);
    }

    public long TokenCount(int layer, int head) => _lengths[layer];

    long BytesPerToken => 2L * KvHeadCount * HeadDim * _keys[0].ElementSize;

    public long KeptBytes => _lengths.Sum() * BytesPerToken;

    public long FullCacheBytes => KeptBytes;

    public long ReservedBytes => LayerCount * _capacity * BytesPerToken;

    void RememberQueries(int layer, Tensor q)
    {
        long steps = q.shape[1];
        var previous = _windowQueries[layer];
        Tensor joined = previous is null || steps >= ObservationWindow ? q : cat([previous, q], 1);
        long keep = Math.Min(ObservationWindow, joined.shape[1]);
        var window = joined.narrow(1, joined.shape[1] - keep, keep).clone().DetachFromDisposeScope();
        previous?.Dispose();
        _windowQueries[layer] = window;
    }

    /// <summary>Keeps the queries of the chunk's positions p ≡ S − 1 (mod S), one [heads, 1, headDim] copy each.</summary>
    void RememberStrided(int layer, Tensor q, long start)
    {
        long steps = q.shape[1];
        for (long p = start + (QueryStride - 1 - start % QueryStride) % QueryStride; p < start + steps; p += QueryStride)
            _stridedQueries[layer].Add((p, q.narrow(1, p - start, 1).clone().DetachFromDisposeScope()));
    }

    public void Dispose()
    {
        foreach (var t in _keys) t.Dispose();
        foreach (var t in _values) t.Dispose();
        foreach (var t in _windowQueries) t?.Dispose();
        foreach (var t in _lookaheadQueries) t?.Dispose();
        foreach (var kept in _stridedQueries) foreach (var (_, query) in kept) query.Dispose();
    }
}
