using CoKv.Cache;
using static TorchSharp.torch;

namespace CoKv.Compression;

/// <summary>
/// No ranking, for policies whose heads keep their whole prompt or only the window (the full cache): nothing is chosen
/// within a prefix, so asking for scores is a mistake in the pairing of policy and scorer.
/// </summary>
public sealed class NoTokenScorer : ITokenScorer
{
    public string Name => TokenScorers.None;
    public bool ReadsWindowQueries => false;

    public Tensor Score(DenseKvCache dense, int layer, int window) =>
        throw new InvalidOperationException($"The '{TokenScorers.None}' scorer ranks no tokens, but the policy keeps part of a prefix (or reads token scores): pair it with another scorer ({string.Join(", ", TokenScorers.Names)}).");
}
