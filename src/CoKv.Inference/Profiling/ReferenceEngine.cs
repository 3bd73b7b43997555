namespace CoKv.Profiling;

/// <summary>Another engine's greedy answer to <paramref name="prompt"/>: at most <paramref name="maxNewTokens"/> new
/// tokens, stopping before any of <paramref name="stopIds"/>.</summary>
public delegate IReadOnlyList<int> ReferenceEngine(int[] prompt, int maxNewTokens, IReadOnlySet<int> stopIds);
