using CoKv.Cache;

namespace CoKv.Compression;

/// <summary>
/// Turns the full cache a prefill produced into a smaller one. Runs once per request between prefill and decode.
/// </summary>
public interface ICacheCompressor
{
    /// <summary>How many of the last prompt queries the full cache must remember for scoring (0 if none).</summary>
    int ObservationWindow { get; }

    /// <summary>S: the full cache must remember the prompt queries of every S-th position for scoring (0 if none).</summary>
    int QueryStride => 0;

    /// <summary>L: answer tokens to decode on the full cache before compressing, for their queries only
    /// (<see cref="Generation.Lookahead"/>; 0 if none). The full cache must then remember L more window queries.</summary>
    int Lookahead => 0;

    /// <summary>Builds the compressed cache; the dense cache is left as it was (the caller disposes it).</summary>
    CompressionOutcome Compress(DenseKvCache dense);
}

/// <summary>The compressed cache and what was done.</summary>
public sealed record CompressionOutcome(IKvCache Cache, CompressionReport Report);

/// <summary>The policy, the profile it used and the tokens kept per (layer, KV head), row-major.</summary>
public sealed record CompressionReport(string Policy, double MeanBudget, int Window, int[] TokensPerHead, string? Profile = null);
