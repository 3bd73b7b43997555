using CoKv.Cache;
using static TorchSharp.torch;

namespace CoKv.Generation;

/// <summary>
/// The look-ahead before compression (<see cref="Compression.SnapKvOptions.Lookahead"/>): the answer's first tokens
/// decoded greedily on the full cache, only so that their queries can vote on what to keep. The full cache is still in
/// memory at that point, so this costs a few decode steps over it and no memory; the tokens are then forgotten, and the
/// answer is decoded again on the compressed cache.
/// </summary>
public static class Lookahead
{
    /// <summary>
    /// Decodes up to <paramref name="steps"/> greedy tokens after the prompt held by <paramref name="dense"/> (starting
    /// from the prompt's last <paramref name="logits"/>; a stop id or the cache's capacity ends it sooner) through
    /// <paramref name="step"/>, which appends one token to the cache and returns the next logits; then ends the
    /// look-ahead (<see cref="DenseKvCache.EndLookahead"/>), cancelled or not. Returns the tokens decoded, which the caller forgets too.
    /// </summary>
    public static IReadOnlyList<int> Run(DenseKvCache dense, Tensor logits, int steps, IReadOnlySet<int> stopIds, Func<int, Tensor> step, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        long prompt = dense.Length;
        steps = (int)Math.Min(steps, dense.Capacity - prompt);
        var tokens = new List<int>(Math.Max(steps, 0));
        var current = logits;
        try
        {
            using var noGrad = no_grad();
            while (tokens.Count < steps)
            {
                ct.ThrowIfCancellationRequested();
                int token;
                using (NewDisposeScope()) token = (int)current.argmax().item<long>();
                if (stopIds.Contains(token)) break;
                var next = step(token);
                if (!ReferenceEquals(current, logits)) current.Dispose();
                current = next;
                tokens.Add(token);
            }
        }
        finally
        {
            if (!ReferenceEquals(current, logits)) current.Dispose();
            dense.EndLookahead(prompt); // also when cancelled: the cache holds the prompt alone again
        }
        return tokens;
    }
}
