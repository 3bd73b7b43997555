using static TorchSharp.torch;

namespace CoKv.Cache;

/// <summary>
/// Where attention reads its keys and values. The decoder hands each layer's new queries, keys and values to the cache,
/// and the cache computes the attention itself: so a cache may keep a different number of tokens for every KV head
/// and lay them out as it likes. Keys and values are stored per KV head, never repeated for the query heads.
/// </summary>
public interface IKvCache : IDisposable
{
    int LayerCount { get; }
    int KvHeadCount { get; }

    /// <summary>
    /// Stores this step's keys and values of one layer and returns the attention output of its queries over everything
    /// the layer keeps. q: [heads, T, headDim]; k, v: [kvHeads, T, headDim] (RoPE applied). New token t attends to the
    /// cached tokens and to new tokens 0..t. Returns [heads, T, headDim].
    /// </summary>
    Tensor Attend(int layer, Tensor q, Tensor k, Tensor v);

    /// <summary>Tokens kept by one KV head of one layer.</summary>
    long TokenCount(int layer, int head);

    /// <summary>Bytes of key and value data held (what is kept, not what is reserved).</summary>
    long KeptBytes { get; }

    /// <summary>Bytes a full cache of the same sequence would hold.</summary>
    long FullCacheBytes { get; }

    /// <summary>Bytes allocated, including room reserved for tokens still to be generated.</summary>
    long ReservedBytes { get; }
}
