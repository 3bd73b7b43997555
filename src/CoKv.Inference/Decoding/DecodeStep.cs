using System.Runtime.InteropServices;
using CoKv.Cache;
using CoKv.Kernels;
using CoKv.Models;
using static TorchSharp.torch;

namespace CoKv.Decoding;

/// <summary>
/// One token through the decoder in managed code: the same arithmetic as <see cref="Decoder.Hidden"/> +
/// <see cref="Decoder.Logits"/> for T = 1, with each weight read once by a multithreaded matrix–vector kernel and no
/// TorchSharp call per op (a step of a 30-layer model made ~1,900 of them). Scratch memory is allocated once, so a
/// step allocates only its logits tensor. Not thread-safe: one per sequence.
/// </summary>
public sealed unsafe class DecodeStep : IDisposable
{
    readonly DecodeWeights _weights;
    readonly ModelConfig _config;
    readonly WorkerPool _pool;
    readonly MatVecJob _job = new();
    readonly DecodeAttention _attention;
    readonly HeadColumns[] _columns;
    readonly float* _scratch;
    readonly float* _x, _h, _q, _k, _v, _attended, _gate, _up, _cos, _sin;

    public DecodeStep(Decoder decoder, DecodeWeights weights, int threads)
    {
        _weights = weights;
        _config = decoder.Config;
        _pool = WorkerPool.Shared(threads);
        int d = _config.HiddenSize, hd = _config.HeadDim, heads = _config.HeadCount, kv = _config.KvHeadCount;
        int ffn = _config.IntermediateSize;
        _attention = new DecodeAttention(heads, kv, hd);
        _columns = new HeadColumns[kv];
        int[] sizes = [d, Math.Max(d, heads * hd), heads * hd, kv * hd, kv * hd, heads * hd, ffn, ffn, hd / 2, hd / 2];
        // One block, each piece 32-byte aligned for the vector loads.
        long total = sizes.Sum(s => (long)(s + 7) / 8 * 8);
        _scratch = (float*)NativeMemory.AlignedAlloc((nuint)(total * 4), 64);
        float* next = _scratch;
        float* Take(int size) { var p = next; next += (size + 7) / 8 * 8; return p; }
        _x = Take(sizes[0]); _h = Take(sizes[1]); _q = Take(sizes[2]); _k = Take(sizes[3]); _v = Take(sizes[4]);
        _attended = Take(sizes[5]); _gate = Take(sizes[6]); _up = Take(sizes[7]); _cos = Take(sizes[8]); _sin = Take(sizes[9]);
    }

    /// <summary>Appends <paramref name="token"/> at <paramref name="position"/> to the cache and returns the logits [vocab] (f32).</summary>
    public Tensor Run(int token, long position, IManagedDecodeCache cache)
    {
        var c = _config;
        int d = c.HiddenSize, hd = c.HeadDim, heads = c.HeadCount, kv = c.KvHeadCount, ffn = c.IntermediateSize;
        if ((uint)token >= (uint)c.VocabSize) throw new ArgumentOutOfRangeException(nameof(token), token, $"Token ids are below {c.VocabSize}.");
        if (_weights.QuantizedEmbedding is { } table) table.Dequantize(token, 1, _x);
        else new ReadOnlySpan<float>(_weights.Embedding + (long)token * d, d).CopyTo(new Span<float>(_x, d));
        RotaryTables(position);

        for (int l = 0; l < c.LayerCount; l++)
        {
            var w = _weights.Layers[l];
            long t = StepTimings.Start();
            VectorMath.RmsNorm(_x, w.InputNorm, _h, d, c.RmsNormEps);
            StepTimings.Stop("decode: norms", t);
            t = StepTimings.Start();
            _job.Set(_h, w.Q, _q, w.K, _k, w.V, _v);
            _job.Run(_pool);
            StepTimings.Stop("decode: q/k/v projections", t);
            t = StepTimings.Start();
            if (w.QBias != null) VectorMath.Add(_q, w.QBias, heads * hd);
            if (w.KBias != null) VectorMath.Add(_k, w.KBias, kv * hd);
            if (w.VBias != null) VectorMath.Add(_v, w.VBias, kv * hd);
            PrepareHeads(_q, heads, w.QNorm);
            PrepareHeads(_k, kv, w.KNorm);

            StepTimings.Stop("decode: biases, q/k norms, RoPE", t);

            t = StepTimings.Start();
            cache.AppendOne(l, _k, _v, _q, heads, _columns, out var keys, out var values);
            StepTimings.Stop("decode: cache append", t);
            t = StepTimings.Start();
            _attention.Attend(_pool, keys, values, _columns, _q, _attended);
            StepTimings.Stop("decode: attention", t);

            t = StepTimings.Start();
            _job.Set(_attended, w.O, _h);
            _job.Run(_pool);
            VectorMath.Add(_x, _h, d);
            StepTimings.Stop("decode: output projection", t);

            t = StepTimings.Start();
            VectorMath.RmsNorm(_x, w.PostNorm, _h, d, c.RmsNormEps);
            StepTimings.Stop("decode: norms", t);
            t = StepTimings.Start();
            _job.Set(_h, w.Gate, _gate, w.Up, _up);
            _job.Run(_pool);
            VectorMath.SiluMultiply(_gate, _up, ffn);
            _job.Set(_gate, w.Down, _h);
            _job.Run(_pool);
            VectorMath.Add(_x, _h, d);
            StepTimings.Stop("decode: feed-forward", t);
        }

        long final = StepTimings.Start();
        VectorMath.RmsNorm(_x, _weights.FinalNorm, _h, d, c.RmsNormEps);
        var logits = empty(c.VocabSize, ScalarType.Float32);
        _job.Set(_h, _weights.Classifier, TensorMemory.Float32(logits));
        _job.Run(_pool);
        StepTimings.Stop("decode: final norm + classifier", final);
        return logits;
    }

    /// <summary>Per-head RMS norm (Qwen3's q/k norms) and RoPE, in the TorchSharp path's order.</summary>
    void PrepareHeads(float* x, int heads, float* norm)
    {
        int hd = _config.HeadDim;
        for (int h = 0; h < heads; h++)
        {
            float* head = x + h * hd;
            if (norm != null) VectorMath.RmsNorm(head, norm, head, hd, _config.RmsNormEps);
            VectorMath.Rotate(head, _cos, _sin, hd / 2);
        }
    }

    void RotaryTables(long position)
    {
        var inverse = _weights.InverseFrequency;
        // f32 angles, as the TorchSharp path's outer product of f32 positions and frequencies.
        float p = position;
        for (int i = 0; i < inverse.Length; i++)
        {
            float angle = p * inverse[i];
            _cos[i] = MathF.Cos(angle);
            _sin[i] = MathF.Sin(angle);
        }
    }

    bool _disposed;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        NativeMemory.AlignedFree(_scratch);
        _job.Dispose();
    }
}
