using CoKv.Decoding;
using CoKv.Shapley;

namespace CoKv.Profiling;

/// <summary>
/// U(S) over KV heads: every validation sample's kept full cache is cut down for the coalition (heads in S keep the
/// whole prompt, the others the last <see cref="Window"/> tokens) and scored; U is the mean over samples. Nothing is
/// cached per coalition, so memory stays flat however many draws run. Deterministic for a fixed thread count.
/// </summary>
public abstract class KvHeadUtility : ICoalitionUtility, IDisposable
{
    readonly IReadOnlyList<PrefilledSample> _samples;
    readonly bool _ownsSamples;

    protected KvHeadUtility(Decoder decoder, IReadOnlyList<PrefilledSample> samples, HeadPlayers players, int window, bool ownsSamples)
    {
        if (samples.Count == 0) throw new ArgumentException("A utility needs at least one validation sample.", nameof(samples));
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), window, "The window must keep at least one token.");
        Decoder = decoder;
        _samples = samples;
        Players = players;
        Window = window;
        _ownsSamples = ownsSamples;
    }

    public Decoder Decoder { get; }
    public HeadPlayers Players { get; }
    public int Window { get; }
    public IReadOnlyList<PrefilledSample> Samples => _samples;
    /// <summary>"loglik" or "metric".</summary>
    public abstract string Name { get; }
    public int Evaluations { get; private set; }

    public Task<double> EvaluateAsync(IReadOnlySet<int> coalition, CancellationToken ct)
    {
        var scores = SampleScores(Players.FullHeads(coalition), ct);
        double sum = 0;
        for (int i = 0; i < scores.Length; i++) sum += Combine(i, scores[i], ct);
        Evaluations++;
        return Task.FromResult(sum / _samples.Count);
    }

    /// <summary>Each sample's score when the heads flagged in <paramref name="full"/> keep the whole prompt.</summary>
    protected double[] SampleScores(bool[] full, CancellationToken ct)
    {
        var scores = new double[_samples.Count];
        for (int i = 0; i < _samples.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            using var cache = CoalitionCache.Build(_samples[i].Cache, full, Window, Reserve(_samples[i]));
            scores[i] = Score(_samples[i], cache, ct);
        }
        return scores;
    }

    /// <summary>What sample i's score adds to U (before the mean over samples): the score itself unless a utility rescales it.</summary>
    protected virtual double Combine(int sample, double score, CancellationToken ct) => score;

    protected abstract int Reserve(PrefilledSample sample);

    protected abstract double Score(PrefilledSample sample, CoKv.Cache.IKvCache cache, CancellationToken ct);

    public void Dispose()
    {
        if (_ownsSamples) foreach (var s in _samples) s.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>U(S) = mean log-likelihood per token of the gold answers: continuous, so a few samples already separate
/// coalitions that a 0/1 metric would tie.</summary>
public sealed class LogLikelihoodUtility(Decoder decoder, IReadOnlyList<PrefilledSample> samples, HeadPlayers players, int window, bool ownsSamples = true)
    : KvHeadUtility(decoder, samples, players, window, ownsSamples)
{
    public override string Name => ProfileUtilities.LogLikelihood;
    protected override int Reserve(PrefilledSample sample) => sample.Sample.Gold.Length;
    protected override double Score(PrefilledSample sample, CoKv.Cache.IKvCache cache, CancellationToken ct) =>
        Continuation.GoldLogLikelihood(Decoder, sample, cache);
}

/// <summary>
/// U(S) = mean over samples of (LL(S) − LL(∅)) / (LL(N) − LL(∅)), LL the gold answer's mean log-likelihood per token:
/// every sample counts from 0 (window only) to 1 (every head full), so one sample whose answer swings by many nats no
/// longer outweighs the others, and U(N) − U(∅) = 1 makes the seeds' MAE a relative figure. LL(N) and LL(∅) are
/// computed once, on the first evaluation. A sample the cache cannot move (|LL(N) − LL(∅)| below
/// <see cref="MinSpan"/> nats) counts as 0, not as noise divided by nothing.
/// </summary>
public sealed class NormalizedLogLikelihoodUtility(Decoder decoder, IReadOnlyList<PrefilledSample> samples, HeadPlayers players, int window, bool ownsSamples = true)
    : KvHeadUtility(decoder, samples, players, window, ownsSamples)
{
    public const double MinSpan = 0.01;
    (double[] None, double[] All)? _ends;

    public override string Name => ProfileUtilities.NormalizedLogLikelihood;
    protected override int Reserve(PrefilledSample sample) => sample.Sample.Gold.Length;
    protected override double Score(PrefilledSample sample, CoKv.Cache.IKvCache cache, CancellationToken ct) =>
        Continuation.GoldLogLikelihood(Decoder, sample, cache);

    protected override double Combine(int sample, double score, CancellationToken ct)
    {
        var (none, all) = _ends ??= (SampleScores(Players.FullHeads(new HashSet<int>()), ct),
                                     SampleScores(Players.FullHeads(Enumerable.Range(0, Players.Count).ToHashSet()), ct));
        double span = all[sample] - none[sample];
        return Math.Abs(span) < MinSpan ? 0 : (score - none[sample]) / span;
    }
}

/// <summary>U(S) = the task metric of greedy answers (CoKV's definition): exact, but a greedy decode per sample.</summary>
public sealed class MetricUtility(Decoder decoder, CoKv.Tokenization.ITokenizer tokenizer, IReadOnlyList<PrefilledSample> samples, HeadPlayers players, int window, bool ownsSamples = true)
    : KvHeadUtility(decoder, samples, players, window, ownsSamples)
{
    public override string Name => ProfileUtilities.Metric;
    protected override int Reserve(PrefilledSample sample) => sample.Sample.MaxNewTokens;
    protected override double Score(PrefilledSample sample, CoKv.Cache.IKvCache cache, CancellationToken ct)
    {
        var tokens = Continuation.Greedy(Decoder, sample, cache, sample.Sample.MaxNewTokens, tokenizer.StopIds, ct);
        return sample.Sample.Score(tokenizer.Decode(tokens));
    }
}

/// <summary>Names of the utilities, as in <see cref="ProfileBuildRequest.Utility"/>.</summary>
public static class ProfileUtilities
{
    public const string Metric = "metric";
    public const string LogLikelihood = "loglik";
    public const string NormalizedLogLikelihood = "loglik-norm";

    public static IReadOnlyList<string> Names { get; } = [Metric, LogLikelihood, NormalizedLogLikelihood];

    public static KvHeadUtility Create(string name, ProfilingModel model, IReadOnlyList<PrefilledSample> samples, HeadPlayers players, int window, bool ownsSamples = true) =>
        name switch
        {
            Metric => new MetricUtility(model.Decoder, model.Tokenizer, samples, players, window, ownsSamples),
            LogLikelihood or "gold_log_likelihood" => new LogLikelihoodUtility(model.Decoder, samples, players, window, ownsSamples),
            NormalizedLogLikelihood => new NormalizedLogLikelihoodUtility(model.Decoder, samples, players, window, ownsSamples),
            _ => throw new ArgumentException($"Unknown utility '{name}': use {Metric}, {LogLikelihood} or {NormalizedLogLikelihood}.", nameof(name)),
        };
}
