using CoKv.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace CoKv.Cache;

/// <summary>
/// Attention of grouped queries over one set of KV heads without repeating keys: the g query heads that share a KV
/// head are folded into the row dimension, so each KV head is one batch entry of a single SDPA call.
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
        var rows = q.reshape(kvHeads, group * steps, dim);
        Tensor? mask = steps == 1 ? null : CausalMask(group, steps, keys, q.device);
        var output = nn.functional.scaled_dot_product_attention(rows, k, v, mask, 0.0, false);
        return output.reshape(heads, steps, dim).MoveToOuterDisposeScope();
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
