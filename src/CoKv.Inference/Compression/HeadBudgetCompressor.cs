using System.Diagnostics;
using CoKv.Cache;
using static TorchSharp.torch;

namespace CoKv.Compression;

/// <summary>
/// A policy and a scorer combined: allocate (the <see cref="IBudgetPolicy"/>), rank (the <see cref="ITokenScorer"/>),
/// select per head (<see cref="TokenSelector"/>), and build a <see cref="HeadBudgetedKvCache"/> with room for
/// <see cref="Reserve"/> more tokens per head. The scorer runs only when the policy reads token scores or some head keeps
/// a strict part of its prefix (not for the full cache, nor for coalitions of full and window-only heads).
/// <see cref="BudgetPolicies.Compressor"/> pairs a registered policy with its default scorer.
/// </summary>
public sealed class HeadBudgetCompressor : ICacheCompressor
{
    public HeadBudgetCompressor(IBudgetPolicy policy, ITokenScorer scorer, int meanBudget, int window = 8, int reserve = 256, string? profileName = null)
    {
        Policy = policy ?? throw new ArgumentNullException(nameof(policy));
        Scorer = scorer ?? throw new ArgumentNullException(nameof(scorer));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(meanBudget);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        ArgumentOutOfRangeException.ThrowIfNegative(reserve);
        MeanBudget = meanBudget;
        Window = window;
        Reserve = reserve;
        ProfileName = profileName;
    }

    /// <summary>A policy with SnapKV's scorer, whose options also give the window.</summary>
    public static HeadBudgetCompressor WithSnapKv(IBudgetPolicy policy, int meanBudget, SnapKvOptions? options = null, int reserve = 256, string? profileName = null)
    {
        var scorer = new SnapKvScorer(options);
        return new HeadBudgetCompressor(policy, scorer, meanBudget, scorer.Options.Window, reserve, profileName);
    }

    public IBudgetPolicy Policy { get; }
    public ITokenScorer Scorer { get; }
    public int MeanBudget { get; }

    /// <summary>The last prompt tokens every head keeps (SnapKV's observation window).</summary>
    public int Window { get; }
    public int Reserve { get; }
    public string? ProfileName { get; }
    public int ObservationWindow => Window;
    public int QueryStride => Scorer.QueryStride;
    public int Lookahead => Scorer.Lookahead;

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
        int remembered = Scorer.ReadsWindowQueries && dense.ObservationWindow > 0 ? (int)dense.WindowQueries(0).shape[1] : Window;
        int window = (int)SnapKvScorer.EffectiveWindow(Window, remembered, length);

        Tensor[]? scores = null;
        Tensor[] Scores() => scores ??= Enumerable.Range(0, layers).Select(l => Score(dense, l, window)).ToArray();

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

    Tensor Score(DenseKvCache dense, int layer, int window)
    {
        if (Scorer.ReadsWindowQueries && dense.ObservationWindow <= 0)
            throw new InvalidOperationException($"Policy '{Policy.Name}' with the '{Scorer.Name}' scorer ranks tokens by the prompt's last queries: create the dense cache with observationWindow = {ObservationWindow}.");
        if (Scorer.QueryStride > 0 && dense.QueryStride != Scorer.QueryStride)
            throw new InvalidOperationException($"Policy '{Policy.Name}' with the '{Scorer.Name}' scorer reads the prompt queries of every {Scorer.QueryStride}th position: create the dense cache with queryStride = {Scorer.QueryStride}.");
        return Scorer.Score(dense, layer, window);
    }
}
