using CoKv.Cache;
using CoKv.Kernels;
using CoKv.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace CoKv.Decoding;

/// <summary>
/// Grouped-query self-attention. With a cache, the cache computes the attention (it owns the keys' layout); without
/// one (training, scoring whole sequences) it is plain causal attention over the given tokens.
/// </summary>
public sealed class Attention : nn.Module<Tensor, Tensor>
{
    readonly int _layer, _heads, _kvHeads, _headDim;
    readonly Projection q_proj, k_proj, v_proj, o_proj;
    readonly RmsNorm? q_norm, k_norm;

    public Attention(ModelConfig config, int layer, ScalarType dtype) : base(nameof(Attention))
    {
        _layer = layer;
        _heads = config.HeadCount;
        _kvHeads = config.KvHeadCount;
        _headDim = config.HeadDim;
        long d = config.HiddenSize;
        q_proj = new Projection(d, _heads * _headDim, config.AttentionBias, dtype);
        k_proj = new Projection(d, _kvHeads * _headDim, config.AttentionBias, dtype);
        v_proj = new Projection(d, _kvHeads * _headDim, config.AttentionBias, dtype);
        o_proj = new Projection(_heads * _headDim, d, false, dtype);
        register_module(nameof(q_proj), q_proj);
        register_module(nameof(k_proj), k_proj);
        register_module(nameof(v_proj), v_proj);
        register_module(nameof(o_proj), o_proj);
        if (config.QkNorm)
        {
            q_norm = new RmsNorm(_headDim, config.RmsNormEps, dtype);
            k_norm = new RmsNorm(_headDim, config.RmsNormEps, dtype);
            register_module(nameof(q_norm), q_norm);
            register_module(nameof(k_norm), k_norm);
        }
    }

    public override Tensor forward(Tensor x) => throw new NotSupportedException("Call Forward(x, cos, sin, cache).");

    /// <summary>x: [B, T, hidden]; cos/sin: [T, headDim]. A cache requires B = 1.</summary>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, IKvCache? cache)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], steps = x.shape[1];
        long t = StepTimings.Start();
        var q = q_proj.forward(x).view(batch, steps, _heads, _headDim);
        var k = k_proj.forward(x).view(batch, steps, _kvHeads, _headDim);
        var v = v_proj.forward(x).view(batch, steps, _kvHeads, _headDim);
        StepTimings.Stop("modules: q/k/v projections", t);
        t = StepTimings.Start();
        if (q_norm != null) q = q_norm.forward(q);
        if (k_norm != null) k = k_norm!.forward(k);
        q = Rotary.ApplyToHeads(q, cos, sin).transpose(1, 2);
        k = Rotary.ApplyToHeads(k, cos, sin).transpose(1, 2);
        v = v.transpose(1, 2);
        StepTimings.Stop("modules: q/k norms, RoPE", t);
        t = StepTimings.Start();

        Tensor output;
        if (cache is null)
        {
            int group = _heads / _kvHeads;
            output = nn.functional.scaled_dot_product_attention(
                q, k.repeat_interleave(group, 1), v.repeat_interleave(group, 1), null, 0.0, true);
        }
        else
        {
            if (batch != 1) throw new ArgumentException("A KV cache serves one sequence; batch size must be 1.");
            output = cache.Attend(_layer, q[0], k[0].contiguous(), v[0].contiguous()).unsqueeze(0);
        }
        StepTimings.Stop("modules: attention (cache append + SDPA)", t);
        t = StepTimings.Start();
        var merged = output.transpose(1, 2).reshape(batch, steps, _heads * _headDim);
        var projected = o_proj.forward(merged).MoveToOuterDisposeScope();
        StepTimings.Stop("modules: output projection", t);
        return projected;
    }
}
