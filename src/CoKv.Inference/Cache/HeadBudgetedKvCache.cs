using CoKv.Kernels;
using CoKv.Decoding;
using TorchSharp;
using static TorchSharp.torch;

namespace CoKv.Cache;

/// <summary>
/// A KV cache in which every (layer, KV head) keeps its own tokens, stored in memory sized to what it keeps.
/// <para>
/// Layout per layer (one flat [columns, headDim] buffer for keys and one for values, as Ada-KV does): first the prompt
/// tokens each head kept, head after head at per-head offsets; then the tokens appended after compression, interleaved
/// step by step (step s of head j at column prompt + s·kvHeads + j). Every head grows by the same token each step, so the
/// used columns always form one prefix of the buffer and a step writes one contiguous slice, without copying the cache.
/// Room for <see cref="Reserve"/> appended tokens per head is allocated up front; past it the buffers double (a copy).
/// </para>
/// <para>
/// A decode step's attention is three ops per layer over the used columns: one addmm of the queries against all columns
/// onto an additive block mask (0 on the columns of the row's own KV head, −∞ elsewhere), a softmax, a matmul with the
/// values. On this CPU that beat a loop over heads, heads padded to the longest, and SDPA with a boolean block mask
/// (<c>cokv bench --layouts</c>, DecodeAttentionLayouts). Each query row does kvHeads× the dot products it needs, which
/// is cheap next to the op overhead it saves at the budgets this cache is for.
/// </para>
/// </summary>
public sealed unsafe class HeadBudgetedKvCache : IManagedDecodeCache
{
    readonly Tensor[] _keys, _values;
    readonly Tensor[] _columnHead;   // [columns] long: which KV head owns each column
    readonly Tensor?[] _rowBias;     // [heads, columns]: 0 where the query head's KV head owns the column, −∞ elsewhere; built on first use
    readonly long[][] _positions;    // per (layer, head), row-major: the prompt positions kept, ascending
    readonly int[] _promptColumns;   // per layer: Σ over heads of kept prompt tokens
    readonly int[] _generated;       // per layer: tokens appended since compression
    readonly int[] _capacity;        // per layer: columns allocated
    readonly long _elementSize;

    HeadBudgetedKvCache(int layers, int kvHeads, int headDim, ScalarType dtype, long promptLength, int reserve)
    {
        LayerCount = layers;
        KvHeadCount = kvHeads;
        HeadDim = headDim;
        DType = dtype;
        PromptLength = promptLength;
        Reserve = reserve;
        _keys = new Tensor[layers];
        _values = new Tensor[layers];
        _columnHead = new Tensor[layers];
        _rowBias = new Tensor?[layers];
        _positions = new long[layers * kvHeads][];
        _promptColumns = new int[layers];
        _generated = new int[layers];
        _capacity = new int[layers];
        using var probe = empty(0, dtype);
        _elementSize = probe.ElementSize;
    }

    public int LayerCount { get; }
    public int KvHeadCount { get; }
    public int HeadDim { get; }
    public ScalarType DType { get; }

    /// <summary>Tokens of the sequence when the cache was built (what a full cache held then).</summary>
    public long PromptLength { get; }

    /// <summary>Appended tokens per head the buffers hold without growing.</summary>
    public int Reserve { get; private set; }

    /// <summary>Tokens appended after compression (decode steps and later turns), in the last layer.</summary>
    public int GeneratedCount => _generated[^1];

    /// <summary>
    /// Keeps, for every (layer, KV head), the prompt positions given (row-major: layer * kvHeads + head; each ascending,
    /// within the dense cache's length) and reserves room for <paramref name="reserve"/> more tokens per head.
    /// The dense cache is only read.
    /// </summary>
    public static HeadBudgetedKvCache FromDense(DenseKvCache dense, IReadOnlyList<long[]> positions, int reserve)
    {
        ArgumentNullException.ThrowIfNull(dense);
        int layers = dense.LayerCount, kvHeads = dense.KvHeadCount;
        if (positions.Count != layers * kvHeads)
            throw new ArgumentException($"{positions.Count} position lists given for {layers} layers x {kvHeads} KV heads.", nameof(positions));
        ArgumentOutOfRangeException.ThrowIfNegative(reserve);
        long length = dense.Length;
        var cache = new HeadBudgetedKvCache(layers, kvHeads, dense.HeadDim, dense.DType, length, reserve);
        try
        {
            using var noGrad = no_grad();
            for (int l = 0; l < layers; l++)
            {
                using var scope = NewDisposeScope();
                var heads = new List<long>();
                var rows = new List<long>();
                for (int h = 0; h < kvHeads; h++)
                {
                    var kept = positions[l * kvHeads + h];
                    for (int i = 0; i < kept.Length; i++)
                    {
                        if (kept[i] < 0 || kept[i] >= length || (i > 0 && kept[i] <= kept[i - 1]))
                            throw new ArgumentException($"Layer {l}, head {h}: positions must be ascending and within 0..{length - 1}.", nameof(positions));
                        heads.Add(h);
                        rows.Add(kept[i]);
                    }
                    cache._positions[l * kvHeads + h] = (long[])kept.Clone();
                }
                cache._promptColumns[l] = rows.Count;
                cache.Allocate(l, rows.Count + kvHeads * reserve);
                if (rows.Count == 0) continue;
                var headIndex = tensor(heads.ToArray());
                var rowIndex = tensor(rows.ToArray());
                cache._keys[l].narrow(0, 0, rows.Count).copy_(dense.Keys(l).index(headIndex, rowIndex));
                cache._values[l].narrow(0, 0, rows.Count).copy_(dense.Values(l).index(headIndex, rowIndex));
            }
            return cache;
        }
        catch
        {
            cache.Dispose();
            throw;
        }
    }

    public Tensor Attend(int layer, Tensor q, Tensor k, Tensor v)
    {
        using var scope = NewDisposeScope();
        int steps = (int)k.shape[1];
        int heads = (int)q.shape[0];
        if (k.shape[0] != KvHeadCount || heads % KvHeadCount != 0)
            throw new ArgumentException($"Expected {KvHeadCount} KV heads and a multiple of them as query heads; got k {k.shape[0]}, q {heads}.");
        if (_generated[layer] + steps > Reserve) Grow(Math.Max(2 * Reserve, _generated[layer] + steps));

        int start = _promptColumns[layer] + _generated[layer] * KvHeadCount;
        int used = start + steps * KvHeadCount;
        // [kvHeads, T, d] → [T, kvHeads, d]: step-major, the interleaved order of the appended columns.
        _keys[layer].narrow(0, start, steps * KvHeadCount).copy_(k.transpose(0, 1).reshape(steps * KvHeadCount, HeadDim));
        _values[layer].narrow(0, start, steps * KvHeadCount).copy_(v.transpose(0, 1).reshape(steps * KvHeadCount, HeadDim));
        int before = _generated[layer];
        _generated[layer] += steps;

        var keys = _keys[layer].narrow(0, 0, used);
        var values = _values[layer].narrow(0, 0, used);
        double scale = 1.0 / Math.Sqrt(HeadDim);
        if (steps == 1)
        {
            // scores = bias + scale·q·Kᵀ in one addmm; the bias is 0 on the row's own head's columns, −∞ elsewhere.
            var scores = RowBias(layer, heads).narrow(1, 0, used).addmm(q.reshape(heads, HeadDim), keys.t(), 1, (float)scale);
            return scores.softmax(-1).matmul(values).view(heads, 1, HeadDim).MoveToOuterDisposeScope();
        }

        // Several new tokens (a later turn): row (h, t) also may not see appended steps after its own.
        int prompt = _promptColumns[layer];
        using var appended = (used - prompt).ToScalar();
        using var stepCount = steps.ToScalar();
        using var kvHeads = KvHeadCount.ToScalar();
        using var earlier = before.ToScalar();
        var step = arange(HeldScalars.Zero, appended, HeldScalars.One, dtype: ScalarType.Int64).div(kvHeads, rounding_mode: RoundingMode.floor);
        var later = step.unsqueeze(0).gt(arange(HeldScalars.Zero, stepCount, HeldScalars.One, dtype: ScalarType.Int64).unsqueeze(1).add(earlier, HeldScalars.One)); // [T, appended]
        var bias = RowBias(layer, heads).narrow(1, 0, used).unsqueeze(1).expand(heads, steps, used).clone();
        bias.narrow(2, prompt, used - prompt).masked_fill_(later.unsqueeze(0), HeldScalars.NegativeInfinity);
        var many = bias.reshape(heads * steps, used).addmm(q.reshape(heads * steps, HeadDim), keys.t(), 1, (float)scale);
        return many.softmax(-1).matmul(values).view(heads, steps, HeadDim).MoveToOuterDisposeScope();
    }

    public bool SupportsManagedDecode => DType == ScalarType.Float32;

    public void AppendOne(int layer, float* key, float* value, float* query, int heads, Span<HeadColumns> columns, out float* keys, out float* values)
    {
        if (_generated[layer] + 1 > Reserve) Grow(Math.Max(2 * Reserve, _generated[layer] + 1));
        int prompt = _promptColumns[layer], step = _generated[layer];
        keys = TensorMemory.Float32(_keys[layer]);
        values = TensorMemory.Float32(_values[layer]);
        // Step s of head h sits at column prompt + s·kvHeads + h: this token's heads are one contiguous slice.
        long first = (long)(prompt + step * KvHeadCount) * HeadDim;
        new ReadOnlySpan<float>(key, KvHeadCount * HeadDim).CopyTo(new Span<float>(keys + first, KvHeadCount * HeadDim));
        new ReadOnlySpan<float>(value, KvHeadCount * HeadDim).CopyTo(new Span<float>(values + first, KvHeadCount * HeadDim));
        _generated[layer] = step + 1;
        int offset = 0;
        for (int h = 0; h < KvHeadCount; h++)
        {
            int kept = _positions[layer * KvHeadCount + h].Length;
            columns[h] = new HeadColumns(offset, kept, prompt + h, step + 1, KvHeadCount);
            offset += kept;
        }
    }

    /// <summary>Prompt positions kept by one head, ascending.</summary>
    public IReadOnlyList<long> KeptPositions(int layer, int head) => _positions[layer * KvHeadCount + head];

    /// <summary>One head's keys [TokenCount, headDim]: its kept prompt tokens, then the appended ones (a copy).</summary>
    public Tensor Keys(int layer, int head) => Gather(_keys[layer], layer, head);

    /// <summary>One head's values [TokenCount, headDim] (a copy).</summary>
    public Tensor Values(int layer, int head) => Gather(_values[layer], layer, head);

    public long TokenCount(int layer, int head) => _positions[layer * KvHeadCount + head].Length + _generated[layer];

    long BytesPerTokenPerHead => 2L * HeadDim * _elementSize;

    public long KeptBytes
    {
        get
        {
            long columns = 0;
            for (int l = 0; l < LayerCount; l++) columns += _promptColumns[l] + (long)_generated[l] * KvHeadCount;
            return columns * BytesPerTokenPerHead;
        }
    }

    public long FullCacheBytes
    {
        get
        {
            long columns = 0;
            for (int l = 0; l < LayerCount; l++) columns += (PromptLength + _generated[l]) * KvHeadCount;
            return columns * BytesPerTokenPerHead;
        }
    }

    public long ReservedBytes => _capacity.Sum(c => (long)c) * BytesPerTokenPerHead;

    /// <summary>Bytes of the attention masks and column-owner tables (bookkeeping beside the key and value data).</summary>
    public long MaskBytes =>
        _columnHead.Sum(t => t.NumberOfElements * t.ElementSize) + _rowBias.Sum(t => t is null ? 0 : t.NumberOfElements * t.ElementSize);

    /// <summary>Bytes of the key and value buffers as the tensors report them (equals <see cref="ReservedBytes"/>).</summary>
    public long MeasureStorageBytes() =>
        _keys.Sum(t => t.NumberOfElements * t.ElementSize) + _values.Sum(t => t.NumberOfElements * t.ElementSize);

    Tensor Gather(Tensor buffer, int layer, int head)
    {
        using var scope = NewDisposeScope();
        int offset = 0;
        for (int h = 0; h < head; h++) offset += _positions[layer * KvHeadCount + h].Length;
        int kept = _positions[layer * KvHeadCount + head].Length;
        var prompt = buffer.narrow(0, offset, kept);
        var appended = buffer.narrow(0, _promptColumns[layer], _generated[layer] * KvHeadCount)
            .view(_generated[layer], KvHeadCount, HeadDim).select(1, head);
        return cat([prompt, appended], 0).MoveToOuterDisposeScope();
    }

    void Allocate(int layer, int columns)
    {
        _capacity[layer] = columns;
        _keys[layer] = zeros(columns, HeadDim, DType).DetachFromDisposeScope();
        _values[layer] = zeros(columns, HeadDim, DType).DetachFromDisposeScope();
        _columnHead[layer] = ColumnOwners(layer, columns).DetachFromDisposeScope();
    }

    Tensor ColumnOwners(int layer, int columns)
    {
        var owners = new long[columns];
        int c = 0;
        for (int h = 0; h < KvHeadCount; h++)
            for (int i = 0; i < _positions[layer * KvHeadCount + h].Length; i++) owners[c++] = h;
        for (; c < columns; c++) owners[c] = (c - _promptColumns[layer]) % KvHeadCount;
        return tensor(owners);
    }

    Tensor RowBias(int layer, int heads)
    {
        if (_rowBias[layer] is { } bias && bias.shape[0] == heads) return bias;
        _rowBias[layer]?.Dispose();
        using var scope = NewDisposeScope();
        int group = heads / KvHeadCount;
        using var headCount = heads.ToScalar();
        using var groupSize = group.ToScalar();
        var rowHead = arange(HeldScalars.Zero, headCount, HeldScalars.One, dtype: ScalarType.Int64).div(groupSize, rounding_mode: RoundingMode.floor);
        var foreign = rowHead.unsqueeze(1).ne(_columnHead[layer].unsqueeze(0));
        var built = zeros(heads, _capacity[layer], DType).masked_fill_(foreign, HeldScalars.NegativeInfinity).DetachFromDisposeScope();
        _rowBias[layer] = built;
        return built;
    }

    void Grow(int reserve)
    {
        using var scope = NewDisposeScope();
        for (int l = 0; l < LayerCount; l++)
        {
            int used = _promptColumns[l] + _generated[l] * KvHeadCount;
            Tensor oldKeys = _keys[l], oldValues = _values[l];
            _columnHead[l].Dispose();
            _rowBias[l]?.Dispose();
            _rowBias[l] = null;
            Allocate(l, _promptColumns[l] + reserve * KvHeadCount);
            _keys[l].narrow(0, 0, used).copy_(oldKeys.narrow(0, 0, used));
            _values[l].narrow(0, 0, used).copy_(oldValues.narrow(0, 0, used));
            oldKeys.Dispose();
            oldValues.Dispose();
        }
        Reserve = reserve;
    }

    public void Dispose()
    {
        foreach (var t in _keys) t?.Dispose();
        foreach (var t in _values) t?.Dispose();
        foreach (var t in _columnHead) t?.Dispose();
        foreach (var t in _rowBias) t?.Dispose();
    }
}
