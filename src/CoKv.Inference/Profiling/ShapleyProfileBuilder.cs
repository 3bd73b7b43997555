using System.Diagnostics;
using CoKv.Profiles;
using CoKv.Shapley;

namespace CoKv.Profiling;

/// <summary>Knobs of <see cref="ShapleyProfileBuilder"/> that are about cost, not about the game.</summary>
public sealed record ShapleyBuildOptions
{
    /// <summary>Use at most this many validation samples (null: all). Each costs a forward pass per utility call.</summary>
    public int? MaxSamples { get; init; }
    /// <summary>Draws between checkpoint writes.</summary>
    public int CheckpointEvery { get; init; } = 4;
}

/// <summary>A shard's share of a build: where its checkpoints are and how far it got.</summary>
public sealed record ShardOutcome(string Directory, IReadOnlyList<string> Checkpoints, int DrawsDone, int DrawsTotal);

/// <summary>
/// CoKV profiles: the Sliced Shapley value of every KV head (CoKV Algorithm 1) with the utility the request names,
/// checkpointed in the request's directory (a stopped build resumes where it stopped, with the same result), optionally
/// twice with different seeds for the convergence MAE, or as one shard of an array job merged later.
/// </summary>
public sealed class ShapleyProfileBuilder(ProfilingModel model, ShapleyBuildOptions? options = null) : IProfileBuilder
{
    readonly ShapleyBuildOptions _options = options ?? new ShapleyBuildOptions();

    public ProfilingModel Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    public async Task<BudgetProfile> BuildAsync(ProfileBuildRequest request, IProgress<ProfileProgress>? progress, CancellationToken cancellation)
    {
        var (job, first, second, span) = await RunAsync(request, ShardSpec.Single, progress, cancellation).ConfigureAwait(false);
        return ToProfile(job, first, second, span);
    }

    /// <summary>Evaluates only the draws of <paramref name="shard"/> (of every seed) and leaves them in checkpoints
    /// for <see cref="MergeDirectories"/>.</summary>
    public async Task<ShardOutcome> RunShardAsync(ProfileBuildRequest request, ShardSpec shard, IProgress<ProfileProgress>? progress, CancellationToken cancellation)
    {
        var (job, first, second, _) = await RunAsync(request, shard, progress, cancellation).ConfigureAwait(false);
        var seeds = job.SecondSeed is { } s2 ? new[] { job.Seed, s2 } : [job.Seed];
        int total = seeds.Length * Enumerable.Range(0, new CoalitionPlan(job.Players, job.Sizes, job.SamplesPerSize, job.Seed, job.CoalitionDesign).Count).Count(shard.Owns);
        return new ShardOutcome(request.CheckpointDirectory, seeds.Select(s => Path.Combine(request.CheckpointDirectory, job.CheckpointFileName(s, shard))).ToArray(),
            first.Draws.Count + (second?.Draws.Count ?? 0), total);
    }

    async Task<(ShapleyJob, SlicedShapleyResult, SlicedShapleyResult?, (double All, double None)?)> RunAsync(ProfileBuildRequest request, ShardSpec shard, IProgress<ProfileProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Method != ProfileMethods.Cokv)
            throw new ArgumentException($"{nameof(ShapleyProfileBuilder)} builds '{ProfileMethods.Cokv}' profiles, not '{request.Method}'.", nameof(request));
        if (request.SecondSeed == request.Seed) throw new ArgumentException("The second seed must differ from the first.", nameof(request));
        var clock = Stopwatch.StartNew();
        int players = Model.Layers * Model.KvHeads;
        var sizes = (request.CoalitionSizes ?? CoalitionPlan.DefaultSizes(players)).ToArray();
        var plan = new CoalitionPlan(players, sizes, request.SamplesPerSize, request.Seed, request.Design); // validates before the costly part

        using var set = ProfilingSet.Load(Model, request.Data, 0, _options.MaxSamples, ct);
        var job = new ShapleyJob
        {
            ModelFingerprint = Model.Fingerprint, ModelDescription = Model.Description, TaskType = request.TaskType,
            Layers = Model.Layers, KvHeads = Model.KvHeads, Sizes = sizes, SamplesPerSize = request.SamplesPerSize,
            Seed = request.Seed, SecondSeed = request.SecondSeed, Utility = request.Utility, Window = request.Window,
            Metric = set.Metric, DatasetSha256 = set.DatasetHash, SampleCount = set.Samples.Count, Datasets = set.Datasets,
            Source = request.Data.ToString(),
            Design = ShapleyCheckpoint.DesignName(request.Design), ControlVariate = request.ControlVariate,
        };
        var jobPath = Path.Combine(request.CheckpointDirectory, ShapleyJob.FileName(request.TaskType));
        if (File.Exists(jobPath)) job.EnsureSameGame(ShapleyJob.Load(jobPath), jobPath);
        job.Save(request.CheckpointDirectory);

        using var utility = ProfileUtilities.Create(request.Utility, Model, set.Prefilled, new HeadPlayers(Model.Layers, Model.KvHeads), request.Window, ownsSamples: false);
        var seeds = job.SecondSeed is { } s2 ? new[] { job.Seed, s2 } : [job.Seed];
        int perSeed = Enumerable.Range(0, plan.Count).Count(shard.Owns);
        var results = new List<SlicedShapleyResult>();
        for (int k = 0; k < seeds.Length; k++)
        {
            int offset = k * perSeed;
            var estimator = new SlicedShapleyOptions
            {
                CoalitionSizes = sizes, SamplesPerSize = request.SamplesPerSize, Seed = seeds[k], Shard = shard, Tag = job.Tag,
                Design = request.Design, ControlVariate = request.ControlVariate,
                CheckpointPath = Path.Combine(request.CheckpointDirectory, job.CheckpointFileName(seeds[k], shard)),
                CheckpointEvery = _options.CheckpointEvery,
                Progress = progress is null ? null : new SyncProgress<ShapleyProgress>(p =>
                    progress.Report(new ProfileProgress(request.TaskType, offset + p.DrawsDone, perSeed * seeds.Length, clock.Elapsed))),
            };
            results.Add(await SlicedShapleyEstimator.RunAsync(players, utility, estimator, ct).ConfigureAwait(false));
        }
        // U(N) and U(∅) put the SSV's scale in context: CoKV's MAE < 1/N test assumes a utility in [0, 1], which a
        // log-likelihood is not; MAE / (U(N) − U(∅)) is the scale-free figure.
        (double All, double None)? span = null;
        if (shard.Count == 1)
            span = (await utility.EvaluateAsync(Enumerable.Range(0, players).ToHashSet(), ct).ConfigureAwait(false),
                     await utility.EvaluateAsync(new HashSet<int>(), ct).ConfigureAwait(false));
        return (job, results[0], results.Count > 1 ? results[1] : null, span);
    }

    /// <summary>
    /// The profile of finished runs: the SSV (the mean of both runs when there are two, with their MAE as the
    /// convergence figure in the provenance).
    /// </summary>
    public static BudgetProfile ToProfile(ShapleyJob job, SlicedShapleyResult first, SlicedShapleyResult? second, (double All, double None)? span = null)
    {
        if (!first.Complete || second is { Complete: false })
            throw new InvalidOperationException($"The Sliced Shapley run for '{job.TaskType}' is incomplete ({first.Draws.Count}/{first.DrawsTotal} draws): merge all shards first.");
        var values = second is null ? first.Values : first.Values.Zip(second.Values, (a, b) => (a + b) / 2).ToArray();
        double? mae = second is null ? null : ShapleyConvergence.Compare(first.Values, second.Values).MeanAbsoluteError;
        return new BudgetProfile
        {
            ModelFingerprint = job.ModelFingerprint,
            ModelDescription = job.ModelDescription,
            TaskType = job.TaskType,
            Method = ProfileMethods.Cokv,
            Scores = HeadScores.Create(job.Layers, job.KvHeads, values),
            Parameters = new ProfileParameters
            {
                CoalitionSizes = job.Sizes, SamplesPerSize = job.SamplesPerSize, Window = job.Window, Metric = job.Metric,
                Utility = job.Utility, Seeds = second is null ? [job.Seed] : [job.Seed, job.SecondSeed!.Value],
                Design = job.Design, ControlVariate = job.ControlVariate,
                Extra = Extra(job, first, second, span),
            },
            Provenance = new ProfileProvenance
            {
                DatasetSha256 = job.DatasetSha256, SampleCount = job.SampleCount, ConvergenceMae = mae,
                Datasets = job.Datasets.Length > 0 ? job.Datasets : [job.Source],
            },
        };
    }

    static Dictionary<string, string>? Extra(ShapleyJob job, SlicedShapleyResult first, SlicedShapleyResult? second, (double All, double None)? span)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        var extra = new Dictionary<string, string>();
        extra["evaluations_per_seed"] = first.Evaluations.ToString(c);
        if (second is not null)
            extra["spearman_between_seeds"] = ShapleyConvergence.Compare(first.Values, second.Values).RankCorrelation.ToString("R", c);
        if (span is { } s)
        {
            extra["u_all"] = s.All.ToString("R", c);
            extra["u_none"] = s.None.ToString("R", c);
        }
        return extra.Count == 0 ? null : extra;
    }

    /// <summary>Merges the shard checkpoints found in <paramref name="directories"/> (and their "checkpoints"
    /// subfolders) into one profile per job file found.</summary>
    public static IReadOnlyList<BudgetProfile> MergeDirectories(IEnumerable<string> directories)
    {
        var dirs = directories.SelectMany(d => new[] { d, Path.Combine(d, "checkpoints") }).Where(Directory.Exists).ToArray();
        var jobs = dirs.SelectMany(d => Directory.EnumerateFiles(d, "*.cokv.job.json")).Select(ShapleyJob.Load)
            .GroupBy(j => (j.TaskType, j.Tag)).Select(g => g.First()).ToArray();
        if (jobs.Length == 0) throw new FileNotFoundException($"No *.cokv.job.json in {string.Join(", ", directories)}: nothing to merge.");
        var profiles = new List<BudgetProfile>();
        foreach (var job in jobs)
        {
            SlicedShapleyResult MergeSeed(int seed)
            {
                var prefix = job.CheckpointFileName(seed, ShardSpec.Single).Split(".shard")[0] + ".shard";
                var files = dirs.SelectMany(d => Directory.EnumerateFiles(d, prefix + "*.ckpt.json")).Distinct().ToArray();
                if (files.Length == 0) throw new FileNotFoundException($"No checkpoints {prefix}*.ckpt.json for task '{job.TaskType}'.");
                var parts = files.Select(ShapleyCheckpoint.Load).Where(c => c.Tag == job.Tag).ToArray();
                return SlicedShapleyEstimator.Merge(parts, job.ControlVariate);
            }
            var first = MergeSeed(job.Seed);
            var second = job.SecondSeed is { } s2 ? MergeSeed(s2) : null;
            profiles.Add(ToProfile(job, first, second));
        }
        return profiles;
    }
}
