using System.Diagnostics;
using System.Globalization;
using CoKv.Compression;
using CoKv.Profiles;
using static TorchSharp.torch;

namespace CoKv.Profiling;

/// <summary>Knobs of the BaKlaVa-style profiler.</summary>
public sealed record BaKlaVaOptions
{
    /// <summary>Redistribution strengths tried: 0 is uniform (SnapKV), 1 fully proportional to importance.</summary>
    public IReadOnlyList<double> StrengthGrid { get; init; } = [0.0, 0.25, 0.5, 0.75, 1.0];
    /// <summary>Mean budgets the held-out loss is averaged over (each clamped below the prompt to matter).</summary>
    public IReadOnlyList<int> SearchBudgets { get; init; } = [16, 32, 64];
    public int? MaxSamples { get; init; }
}

/// <summary>What the search measured: held-out loss (mean negative log-likelihood per gold token) per strength.</summary>
public sealed record BaKlaVaSearch(double[] Importances, IReadOnlyList<(double Strength, double Loss)> Losses, double BestStrength);

/// <summary>
/// BaKlaVa-style profiles: per-KV-head importance from one pass over the profiling prompts (1 − cos between a head's
/// value input and its attention output, <see cref="AttentionProbeCache"/>, averaged per prompt then over prompts),
/// then the redistribution strength chosen from a grid by held-out loss: the gold answers' negative log-likelihood
/// with the cache compressed by <see cref="BaKlaVaPolicy"/> at a few budgets. The first half of the samples measure
/// importance, the second half score the strengths (all of them both when there is one sample).
/// </summary>
public sealed class BaKlaVaProfiler(ProfilingModel model, BaKlaVaOptions? options = null) : IProfileBuilder
{
    readonly BaKlaVaOptions _options = options ?? new BaKlaVaOptions();

    public ProfilingModel Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    public const string StrengthKey = "strength";

    public Task<BudgetProfile> BuildAsync(ProfileBuildRequest request, IProgress<ProfileProgress>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Method != ProfileMethods.Baklava)
            throw new ArgumentException($"{nameof(BaKlaVaProfiler)} builds '{ProfileMethods.Baklava}' profiles, not '{request.Method}'.", nameof(request));
        var samples = ProfileData.ForProfiling(request.Data, Model.Tokenizer);
        if (_options.MaxSamples is { } max) samples = samples.Take(max).ToArray();
        if (samples.Count == 0) throw new InvalidOperationException($"No validation samples in {request.Data}.");
        var prepared = samples.Select(s => PreparedSample.From(s, Model)).ToArray();
        var search = Profile(prepared, request.Window, progress is null ? null : new SyncProgress<(int, int, TimeSpan)>(p =>
            progress.Report(new ProfileProgress(request.TaskType, p.Item1, p.Item2, p.Item3))), cancellation);
        var profile = new BudgetProfile
        {
            ModelFingerprint = Model.Fingerprint,
            ModelDescription = Model.Description,
            TaskType = request.TaskType,
            Method = ProfileMethods.Baklava,
            Scores = HeadScores.Create(Model.Layers, Model.KvHeads, search.Importances),
            Parameters = new ProfileParameters
            {
                Window = request.Window,
                Metric = CoKv.Datasets.DatasetCatalog.MetricFor(samples[0].Dataset),
                Utility = "held_out_gold_nll",
                Seeds = [request.Seed],
                Extra = new Dictionary<string, string>
                {
                    [StrengthKey] = search.BestStrength.ToString("R", CultureInfo.InvariantCulture),
                    ["search_budgets"] = string.Join(",", _options.SearchBudgets),
                    ["losses"] = string.Join(";", search.Losses.Select(l => $"{l.Strength.ToString("R", CultureInfo.InvariantCulture)}:{l.Loss.ToString("G6", CultureInfo.InvariantCulture)}")),
                },
            },
            Provenance = new ProfileProvenance
            {
                DatasetSha256 = CoKv.Datasets.DatasetHash.OfSamples(samples),
                SampleCount = samples.Count,
                Datasets = samples.Select(s => s.Dataset).Distinct().ToArray(),
            },
        };
        return Task.FromResult(profile);
    }

    /// <summary>The importance pass and the strength search on prepared samples.</summary>
    public BaKlaVaSearch Profile(IReadOnlyList<PreparedSample> samples, int window, IProgress<(int Done, int Total, TimeSpan Elapsed)>? progress = null, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        int split = samples.Count == 1 ? 1 : (samples.Count + 1) / 2;
        var measure = samples.Take(split).ToArray();
        var heldOut = samples.Count == 1 ? samples.ToArray() : samples.Skip(split).ToArray();
        int total = measure.Length + heldOut.Length, done = 0;

        var importances = new double[Model.Layers * Model.KvHeads];
        foreach (var sample in measure)
        {
            ct.ThrowIfCancellationRequested();
            using var probe = new AttentionProbeCache(Model.Decoder.CreateCache(sample.Prompt.Length));
            using (no_grad())
            using (NewDisposeScope())
                Model.Decoder.Hidden(tensor(sample.Prompt.Select(t => (long)t).ToArray()).unsqueeze(0), 0, probe);
            var perPrompt = probe.Importances();
            for (int i = 0; i < importances.Length; i++) importances[i] += perPrompt[i] / measure.Length;
            progress?.Report((++done, total, clock.Elapsed));
        }

        var scores = HeadScores.Create(Model.Layers, Model.KvHeads, importances);
        var loss = new double[_options.StrengthGrid.Count];
        foreach (var sample in heldOut)
        {
            ct.ThrowIfCancellationRequested();
            using var prefilled = PrefilledSample.Run(Model.Decoder, sample, window, ct: ct);
            for (int k = 0; k < loss.Length; k++)
                foreach (var budget in _options.SearchBudgets)
                {
                    var compressor = HeadBudgetCompressor.WithSnapKv(new BaKlaVaPolicy(scores, _options.StrengthGrid[k]), budget,
                        new SnapKvOptions { Window = window }, reserve: sample.Gold.Length);
                    using var cache = compressor.Compress(prefilled.Cache).Cache;
                    loss[k] -= Continuation.GoldLogLikelihood(Model.Decoder, prefilled, cache) / (heldOut.Length * _options.SearchBudgets.Count);
                }
            progress?.Report((++done, total, clock.Elapsed));
        }
        // Ties go to the weaker redistribution: no evidence for moving budget is evidence for leaving it.
        int best = Enumerable.Range(0, loss.Length).OrderBy(k => loss[k]).ThenBy(k => _options.StrengthGrid[k]).First();
        return new BaKlaVaSearch(importances, _options.StrengthGrid.Select((s, k) => (s, loss[k])).ToArray(), _options.StrengthGrid[best]);
    }
}
