using CoKv.Decoding;
using TorchSharp;
using static TorchSharp.torch;

namespace CoKv.Cache;

/// <summary>
/// Causal attention of grouped queries over one set of KV heads, through libtorch's fused SDPA kernels.
/// </summary>
public static class GroupedAttention
{
    /// <summary>
    /// q: [H, T, d]; k, v: [Hkv, S, d] where the last T of the S positions are the new tokens (causal among them).
    /// Returns [H, T, d].
    /// </summary>
    public static Tensor Causal(Tensor q, Tensor k, Tensor v)
    {
        using var scope = NewDisposeScope();
        long heads = q.shape[0], steps = q.shape[1], dim = q.shape[2];
        long kvHeads = k.shape[0], keys = k.shape[1];
        long group = heads / kvHeads;
        if (steps == 1)
        {
            // One query row per head sees every key: the g query heads of a KV head fold into its rows, no copy of K.
            var rows = q.reshape(kvHeads, group, dim);
            return nn.functional.scaled_dot_product_attention(rows, k, v, null, 0.0, false).reshape(heads, 1, dim).MoveToOuterDisposeScope();
        }
        // Several rows: the query heads of each KV head form the second batch dimension, [Hkv, g, T, d], against K and V
        // expanded to [Hkv, g, S, d] with stride 0, so libtorch's flash kernel (which reads through strides) never sees
        // a copy of the keys per query head: that copy was the largest prefill temporary (64 MiB a layer for
        // Llama-3.2-1B at 4,096 tokens). With a boolean mask over 3-D grouped rows it fell back to the math path (1.1 s
        // a layer at 2,048 tokens). is_causal aligns the triangle top-left, right only when the new tokens are all the keys.
        var queries = q.view(kvHeads, group, steps, dim);
        var keys4 = k.unsqueeze(1).expand(kvHeads, group, keys, dim);
        var values4 = v.unsqueeze(1).expand(kvHeads, group, keys, dim);
        var output = keys == steps
            ? nn.functional.scaled_dot_product_attention(queries, keys4, values4, null, 0.0, true)
            : nn.functional.scaled_dot_product_attention(queries, keys4, values4, CausalBias(steps, keys, q.dtype, q.device), 0.0, false);
        return output.view(heads, steps, dim).MoveToOuterDisposeScope();
    }

    /// <summary>[1, 1, T, S]: 0 where row t may see key s (s ≤ S − T + t), −∞ elsewhere.</summary>
    public static Tensor CausalBias(long steps, long keys, ScalarType dtype, Device device)
    {
        using var scope = NewDisposeScope();
        var seen = CausalMask(1, steps, keys, device);
        return zeros(steps, keys, dtype, device).masked_fill_(seen.logical_not(), HeldScalars.NegativeInfinity)
            .view(1, 1, steps, keys).MoveToOuterDisposeScope();
    }

    /// <summary>Row (g, t) may see key s when s ≤ S − T + t.</summary>
    public static Tensor CausalMask(long group, long steps, long keys, Device device)
    {
        using var scope = NewDisposeScope();
        using var stepCount = steps.ToScalar();
        using var keyCount = keys.ToScalar();
        using var shift = (keys - steps).ToScalar();
        var t = arange(HeldScalars.Zero, stepCount, HeldScalars.One, device: device).repeat(group).unsqueeze(1);
        var s = arange(HeldScalars.Zero, keyCount, HeldScalars.One, device: device).unsqueeze(0);
        return s.le(t.add(shift, HeldScalars.One)).MoveToOuterDisposeScope();
    }
}
