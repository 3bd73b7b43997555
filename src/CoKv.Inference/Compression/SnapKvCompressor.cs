using System.Diagnostics;
using CoKv.Cache;
using static TorchSharp.torch;

namespace CoKv.Compression;

/// <summary>
/// Score (SnapKV), allocate (the policy), select per head, and build a <see cref="HeadBudgetedKvCache"/> with room for
/// <see cref="Reserve"/> more tokens per head. Scoring is skipped when no head keeps a strict part of its prefix
/// (full cache, coalitions of full and window-only heads) or when the policy ranks by position (StreamingLLM).
/// </summary>
public sealed class SnapKvCompressor : ICacheCompressor
{
    readonly SnapKvScorer _scorer;

    public SnapKvCompressor(IBudgetPolicy policy, int meanBudget, SnapKvOptions? options = null, int reserve = 256, string? profileName = null)
    {
        Policy = policy ?? throw new ArgumentNullException(nameof(policy));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(meanBudget);
        ArgumentOutOfRangeException.ThrowIfNegative(reserve);
        MeanBudget = meanBudget;
        Reserve = reserve;
        ProfileName = profileName;
        _scorer = new SnapKvScorer(options ?? new SnapKvOptions());
    }

    public IBudgetPolicy Policy { get; }
    public int MeanBudget { get; }
    public int Reserve { get; }
    public string? ProfileName { get; }
    public SnapKvOptions Options => _scorer.Options;
    public int ObservationWindow => Options.Window;

    /// <summary>Milliseconds of the last call's scoring pass and of its selection and copy (for benchmarks).</summary>
    public (double ScoringMs, double SelectionMs) LastTimings { get; private set; }

    public CompressionOutcome Compress(DenseKvCache dense)
    {
        ArgumentNullException.ThrowIfNull(dense);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        long started = Stopwatch.GetTimestamp();
        int length = checked((int)dense.Length);
        if (length == 0) throw new InvalidOperationException("The cache is empty: prefill before compressing.");
        int layers = dense.LayerCount, kvHeads = dense.KvHeadCount;
        bool attention = Policy.Scoring == TokenScoring.Attention;
        int remembered = attention && dense.ObservationWindow > 0 ? (int)dense.WindowQueries(0).shape[1] : Options.Window;
        int window = (int)SnapKvScorer.EffectiveWindow(Options.Window, remembered, length);

        Tensor[]? scores = null;
        Tensor[] Scores() => scores ??= attention
            ? Enumerable.Range(0, layers).Select(l => RequireWindow(dense, l)).ToArray()
            : Enumerable.Range(0, layers).Select(_ => TokenSelector.SinksAndRecentScores(kvHeads, length - window, (Policy as StreamingLlmPolicy)?.SinkTokens ?? 0)).ToArray();

        var context = new BudgetContext(length, layers, kvHeads, MeanBudget, window, Policy.NeedsTokenScores ? Scores() : null);
        var budgets = Policy.Allocate(context);
        if (budgets.Length != layers * kvHeads)
            throw new InvalidOperationException($"Policy '{Policy.Name}' returned {budgets.Length} budgets for {layers * kvHeads} heads.");
        for (int i = 0; i < budgets.Length; i++) budgets[i] = Math.Clamp(budgets[i], window, length);
        bool partial = budgets.Any(b => b > window && b < length);
        if (partial) Scores();
        double scoringMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

        long selecting = Stopwatch.GetTimestamp();
        var positions = new List<long[]>(budgets.Length);
        for (int l = 0; l < layers; l++)
            positions.AddRange(TokenSelector.SelectLayer(scores?[l], budgets.AsSpan(l * kvHeads, kvHeads), length, window));
        var cache = HeadBudgetedKvCache.FromDense(dense, positions, Reserve);
        LastTimings = (scoringMs, Stopwatch.GetElapsedTime(selecting).TotalMilliseconds);
        var report = new CompressionReport(Policy.Name, MeanBudget, window, positions.Select(p => p.Length).ToArray(), ProfileName);
        return new CompressionOutcome(cache, report);
    }

    Tensor RequireWindow(DenseKvCache dense, int layer)
    {
        if (dense.ObservationWindow <= 0)
            throw new InvalidOperationException($"Policy '{Policy.Name}' scores tokens by the prompt's last queries: create the dense cache with observationWindow = {ObservationWindow}.");
        return _scorer.Score(dense, layer);
    }
}
