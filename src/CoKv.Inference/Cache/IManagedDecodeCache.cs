using CoKv.Kernels;

namespace CoKv.Cache;

/// <summary>
/// A cache whose storage the managed decode step reads directly: it appends one token's keys and values to a layer and
/// says where each KV head's tokens are, and <see cref="DecodeAttention"/> does the arithmetic. Caches that do not
/// implement it (or say they cannot, e.g. in bf16) are served by the TorchSharp path through <see cref="IKvCache.Attend"/>.
/// </summary>
public unsafe interface IManagedDecodeCache : IKvCache
{
    /// <summary>Whether this cache's storage is f32 and laid out for the managed step.</summary>
    bool SupportsManagedDecode { get; }

    /// <summary>
    /// Stores one token's keys and values ([kvHeads × headDim] each, RoPE applied) in a layer and returns the layer's
    /// key and value buffers (rows of headDim floats) and, in <paramref name="columns"/>, each KV head's rows, the new
    /// token included. <paramref name="query"/> ([heads × headDim]) is what the token asks, for caches that remember it.
    /// </summary>
    void AppendOne(int layer, float* key, float* value, float* query, int heads, Span<HeadColumns> columns, out float* keys, out float* values);
}
