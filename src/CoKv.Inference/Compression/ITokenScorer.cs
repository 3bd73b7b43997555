using CoKv.Cache;
using static TorchSharp.torch;

namespace CoKv.Compression;

/// <summary>
/// Ranks a layer's prefix positions for <see cref="TokenSelector"/>: which tokens a head keeps once the
/// <see cref="IBudgetPolicy"/> has said how many (kvpress's split of a press into a scorer and a budget).
/// Registered by name in <see cref="TokenScorers"/>.
/// </summary>
public interface ITokenScorer
{
    /// <summary>Short name, as in <see cref="TokenScorers.Create"/>.</summary>
    string Name { get; }

    /// <summary>True when <see cref="Score"/> reads the prompt's last queries, which the dense cache must then remember.</summary>
    bool ReadsWindowQueries { get; }

    /// <summary>S where <see cref="Score"/> reads the prompt queries of every S-th position (0: none), which the dense
    /// cache must then keep (<see cref="DenseKvCache.QueryStride"/>).</summary>
    int QueryStride => 0;

    /// <summary>L where <see cref="Score"/> reads the queries of L answer tokens decoded past the prompt
    /// (<see cref="DenseKvCache.LookaheadQueries"/>), which the caller then decodes before compressing (0: none).</summary>
    int Lookahead => 0;

    /// <summary>Scores [kvHeads, T − window] (f32) of one layer's prefix positions; higher is kept first.</summary>
    Tensor Score(DenseKvCache dense, int layer, int window);
}
