using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CoKv.Kernels;

/// <summary>
/// Attention of one new token's query heads over each KV head's own tokens, in managed code for the decode step.
/// Each KV head's g query heads are scored together, so every key row is read once from memory. Where the KV heads
/// share out evenly over the threads, each thread takes whole heads; otherwise every head is split into one chunk per
/// thread, each with its own running max and sum, merged at the end (flash-decoding), so two threads share a
/// 16k-token head instead of one reading it alone.
/// </summary>
public sealed unsafe class DecodeAttention : IParallelWork
{
    /// <summary>Below this many rows in a layer, one thread does the layer (a dispatch costs more than it saves).</summary>
    const int ParallelRows = 2048;

    readonly int _heads, _kvHeads, _headDim, _group;
    readonly float _scale;
    float[][] _scores = [];
    float[] _partials = [];
    HeadColumns[] _columns = [];
    float* _keys, _values, _q, _output;
    int _chunks;

    public DecodeAttention(int heads, int kvHeads, int headDim)
    {
        _heads = heads;
        _kvHeads = kvHeads;
        _headDim = headDim;
        _group = heads / kvHeads;
        _scale = (float)(1.0 / Math.Sqrt(headDim));
    }

    /// <summary>
    /// output [heads, headDim] = softmax(q·Kᵀ/√d)·V per query head over the columns of its KV head.
    /// keys/values: the layer's buffers of rows of headDim floats; columns: one entry per KV head.
    /// </summary>
    public void Attend(WorkerPool pool, float* keys, float* values, ReadOnlySpan<HeadColumns> columns, float* q, float* output)
    {
        if (_columns.Length != _kvHeads) _columns = new HeadColumns[_kvHeads];
        columns.CopyTo(_columns);
        _keys = keys;
        _values = values;
        _q = q;
        _output = output;
        long rows = 0;
        foreach (var c in columns) rows += c.Count;
        bool parallel = rows >= ParallelRows && pool.Threads > 1;
        // Whole heads per thread where they share out evenly (no merge of partial sums across threads); otherwise every
        // head split into one chunk per thread.
        _chunks = parallel && _kvHeads % pool.Threads != 0 ? pool.Threads : 1;
        int partialFloats = _kvHeads * _chunks * _group * (_headDim + 2);
        if (_partials.Length < partialFloats) _partials = new float[partialFloats];
        if (_scores.Length < pool.Threads) Array.Resize(ref _scores, pool.Threads);
        if (parallel) pool.Run(this);
        else Run(0, 1);
        Merge();
    }

    public void Run(int index, int count)
    {
        // The pool may run the job inline (count 1) when another caller holds it: then this part does every item.
        for (int item = index; item < _kvHeads * _chunks; item += count) Partial(item / _chunks, item % _chunks, index);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void Partial(int kvHead, int chunk, int slot)
    {
        var columns = _columns[kvHead];
        int n = columns.Count;
        int start = (int)((long)n * chunk / _chunks), end = (int)((long)n * (chunk + 1) / _chunks);
        int length = end - start, d = _headDim, g = _group;
        // Scores scratch per calling part (slot), not per chunk: with whole heads per thread every chunk is 0.
        ref var scores = ref _scores[slot];
        if (scores is null || scores.Length < g * length) scores = new float[Math.Max(g * length, 64)];
        fixed (float* s = scores)
        fixed (float* partials = _partials)
        {
            float* part = partials + (kvHead * _chunks + chunk) * g * (d + 2);
            float* q = _q + kvHead * g * d;
            for (int i = 0; i < length; i++)
            {
                float* key = _keys + (long)columns.Row(start + i) * d;
                for (int j = 0; j < g; j++) s[j * length + i] = Dot(q + j * d, key, d) * _scale;
            }
            for (int j = 0; j < g; j++)
            {
                float* acc = part + j * (d + 2);
                new Span<float>(acc, d + 2).Clear();
                if (length == 0) { acc[d] = float.NegativeInfinity; continue; }
                var row = new Span<float>(s + j * length, length);
                float max = TensorPrimitives.Max(row);
                TensorPrimitives.Subtract(row, max, row);
                TensorPrimitives.Exp(row, row);
                acc[d] = max;
                acc[d + 1] = TensorPrimitives.Sum(row);
            }
            if (length == 0) return;
            if (d % 8 == 0)
            {
                // Each query head's weighted sum kept in registers over all rows, 64 (then 8) columns at a time: no
                // store and reload of the accumulator per row, which cost 20x the arithmetic.
                for (int j = 0; j < g; j++)
                {
                    int c = 0;
                    for (; c + 64 <= d; c += 64) WeightedSum64(part + j * (d + 2) + c, s + j * length, columns, start, length, c);
                    for (; c < d; c += 8) WeightedSum8(part + j * (d + 2) + c, s + j * length, columns, start, length, c);
                }
            }
            else
                for (int i = 0; i < length; i++)
                {
                    float* value = _values + (long)columns.Row(start + i) * d;
                    for (int j = 0; j < g; j++) AddScaled(part + j * (d + 2), value, s[j * length + i], d);
                }
        }
    }

    // A head row is 64–128 floats: a library call per row costs as much as the arithmetic (measured: 41 ms of a 153 ms
    // Llama-3.2-1B step at 256 tokens went to these two loops), so rows of a multiple of 16 are done inline.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Dot(float* a, float* b, int n)
    {
        if (n % 16 != 0) return VectorMath.Dot(a, b, n);
        var s0 = Vector256<float>.Zero;
        var s1 = Vector256<float>.Zero;
        for (int i = 0; i < n; i += 16)
        {
            s0 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i + 8), Vector256.Load(b + i + 8), s1);
        }
        return Vector256.Sum(s0 + s1);
    }

    /// <summary>acc[0..64) = Σᵢ p[i]·V[row(start + i)][column..column + 64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void WeightedSum64(float* acc, float* p, HeadColumns columns, int start, int length, int column)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        float* values = _values + column;
        int d = _headDim;
        for (int i = 0; i < length; i++)
        {
            float* v = values + (long)columns.Row(start + i) * d;
            var w = Vector256.Create(p[i]);
            a0 = Vector256.FusedMultiplyAdd(Vector256.Load(v), w, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.Load(v + 8), w, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.Load(v + 16), w, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.Load(v + 24), w, a3);
            a4 = Vector256.FusedMultiplyAdd(Vector256.Load(v + 32), w, a4);
            a5 = Vector256.FusedMultiplyAdd(Vector256.Load(v + 40), w, a5);
            a6 = Vector256.FusedMultiplyAdd(Vector256.Load(v + 48), w, a6);
            a7 = Vector256.FusedMultiplyAdd(Vector256.Load(v + 56), w, a7);
        }
        a0.Store(acc); a1.Store(acc + 8); a2.Store(acc + 16); a3.Store(acc + 24);
        a4.Store(acc + 32); a5.Store(acc + 40); a6.Store(acc + 48); a7.Store(acc + 56);
    }

    /// <summary>acc[0..8) = Σᵢ p[i]·V[row(start + i)][column..column + 8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void WeightedSum8(float* acc, float* p, HeadColumns columns, int start, int length, int column)
    {
        Vector256<float> a0 = default, a1 = default;
        float* values = _values + column;
        int d = _headDim, i = 0;
        for (; i + 1 < length; i += 2)
        {
            a0 = Vector256.FusedMultiplyAdd(Vector256.Load(values + (long)columns.Row(start + i) * d), Vector256.Create(p[i]), a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.Load(values + (long)columns.Row(start + i + 1) * d), Vector256.Create(p[i + 1]), a1);
        }
        if (i < length) a0 = Vector256.FusedMultiplyAdd(Vector256.Load(values + (long)columns.Row(start + i) * d), Vector256.Create(p[i]), a0);
        (a0 + a1).Store(acc);
    }

    /// <summary>acc += p·v.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void AddScaled(float* acc, float* v, float p, int n)
    {
        if (n % 8 != 0)
        {
            VectorMath.AddScaled(acc, v, p, n);
            return;
        }
        var scale = Vector256.Create(p);
        for (int i = 0; i < n; i += 8)
            Vector256.Store(Vector256.FusedMultiplyAdd(Vector256.Load(v + i), scale, Vector256.Load(acc + i)), acc + i);
    }

    void Merge()
    {
        int d = _headDim, g = _group;
        fixed (float* partials = _partials)
        {
            for (int h = 0; h < _kvHeads; h++)
                for (int j = 0; j < g; j++)
                {
                    float* output = _output + (h * g + j) * d;
                    float max = float.NegativeInfinity;
                    for (int c = 0; c < _chunks; c++) max = Math.Max(max, partials[((h * _chunks + c) * g + j) * (d + 2) + d]);
                    new Span<float>(output, d).Clear();
                    float total = 0;
                    for (int c = 0; c < _chunks; c++)
                    {
                        float* part = partials + ((h * _chunks + c) * g + j) * (d + 2);
                        if (float.IsNegativeInfinity(part[d])) continue;
                        float weight = MathF.Exp(part[d] - max);
                        total += part[d + 1] * weight;
                        VectorMath.AddScaled(output, part, weight, d);
                    }
                    // A head that keeps no token at all attends to nothing: its output is zero, not NaN.
                    if (total > 0) VectorMath.Scale(output, 1f / total, d);
                }
        }
    }
}
