namespace CoKv.Shapley;

/// <summary>
/// CoKV's Sliced Shapley value (Algorithm 1). For each size s in H and each of M draws, S is a random s-subset and
/// CC = U(S) − U(N∖S). CC is a sample of stratum s for every i ∈ S; −CC (the complementary contribution of N∖S) is a
/// sample of stratum N−s for every i ∉ S, kept only when N−s is in H. SSV_i = Σ_{s∈H} mean of i's samples in s.
/// A player with no sample in a stratum contributes 0 there: with M draws of size s each player is in a stratum
/// about M·s/N times, so this only happens for tiny M and biases such a player toward 0 rather than inventing a value.
/// </summary>
public static class SlicedShapleyEstimator
{
    public static async Task<SlicedShapleyResult> RunAsync(
        int players, ICoalitionUtility utility, SlicedShapleyOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(utility);
        ArgumentNullException.ThrowIfNull(options);
        if (options.CheckpointEvery < 1) throw new ArgumentOutOfRangeException(nameof(options), "CheckpointEvery must be at least 1.");
        if (options.MaxParallelism < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxParallelism must be at least 1.");
        var plan = new CoalitionPlan(players, options.CoalitionSizes ?? CoalitionPlan.DefaultSizes(players), options.SamplesPerSize, options.Seed, options.Design);
        var shard = options.Shard;

        var done = new SortedDictionary<int, ShapleyDraw>();
        if (options.CheckpointPath is { } cpPath && File.Exists(cpPath))
        {
            var cp = ShapleyCheckpoint.Load(cpPath);
            cp.EnsureCompatible(players, plan.Sizes, plan.Seed, options.Tag, cpPath, plan.Design);
            if (cp.ShardIndex != shard.Index || cp.ShardCount != shard.Count)
                throw new InvalidOperationException($"{cpPath}: checkpoint is of shard {cp.ShardIndex}/{cp.ShardCount}, this run is shard {shard}.");
            foreach (var d in cp.Draws)
                // A lower M than the checkpoint's simply leaves the later draws out.
                if (d.Index < plan.Count) done[d.Index] = Validated(plan, d, cpPath);
        }

        var owned = Enumerable.Range(0, plan.Count).Where(shard.Owns).ToArray();
        var pending = owned.Where(j => !done.ContainsKey(j)).ToArray();
        var gate = new object();
        var sinceCheckpoint = 0;

        void Checkpoint()
        {
            if (options.CheckpointPath is null) return;
            ShapleyDraw[] snapshot;
            lock (gate) snapshot = done.Values.ToArray();
            new ShapleyCheckpoint
            {
                Players = players, Sizes = plan.Sizes.ToArray(), SamplesPerSize = plan.SamplesPerSize, Seed = plan.Seed,
                Design = ShapleyCheckpoint.DesignName(plan.Design), Tag = options.Tag, ShardIndex = shard.Index, ShardCount = shard.Count, Draws = snapshot,
            }.Save(options.CheckpointPath);
        }

        var checkpointLock = new SemaphoreSlim(1, 1);
        try
        {
            await Parallel.ForEachAsync(pending,
                new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelism, CancellationToken = ct },
                async (j, token) =>
                {
                    var draw = await EvaluateDrawAsync(plan, j, utility, token).ConfigureAwait(false);
                    bool due;
                    int count;
                    lock (gate)
                    {
                        done[j] = draw;
                        count = done.Count(kv => shard.Owns(kv.Key));
                        due = ++sinceCheckpoint >= options.CheckpointEvery;
                        if (due) sinceCheckpoint = 0;
                    }
                    if (due)
                    {
                        await checkpointLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                        try { Checkpoint(); } finally { checkpointLock.Release(); }
                    }
                    options.Progress?.Report(new ShapleyProgress(count, owned.Length, j));
                }).ConfigureAwait(false);
        }
        finally
        {
            // Stopped (cancelled, failed) or finished: keep every draw evaluated so far.
            await checkpointLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try { Checkpoint(); } finally { checkpointLock.Release(); }
        }

        var draws = done.Values.ToArray();
        return new SlicedShapleyResult(Estimate(plan, draws, options.ControlVariate), players, plan.Sizes, plan.SamplesPerSize, plan.Seed, draws)
            { DrawsTotal = plan.Count };
    }

    /// <summary>SSV of a plan's draws; with <paramref name="controlVariate"/>, each sampled stratum's CC is corrected by
    /// a cross-fitted additive model of the game (<see cref="AdditiveControl"/>).</summary>
    public static double[] Estimate(CoalitionPlan plan, IEnumerable<ShapleyDraw> draws, bool controlVariate) =>
        Estimate(plan.Players, plan.Sizes, draws, controlVariate ? d => plan.FoldOf(d.Index) : null);

    /// <summary>SSV from a set of draws (any order: they are summed in index order, for bit-identical results).
    /// <paramref name="foldOf"/> (null: no control variate) gives each draw's cross-fitting half, −1 for none.</summary>
    public static double[] Estimate(int players, IReadOnlyList<int> sizes, IEnumerable<ShapleyDraw> draws, Func<ShapleyDraw, int>? foldOf = null)
    {
        var ordered = draws.OrderBy(d => d.Index).ToArray();
        var control = foldOf is null || players < 2 ? null : AdditiveControl.Fit(players, ordered, foldOf);
        var stratum = new Dictionary<int, int>();
        for (var k = 0; k < sizes.Count; k++) stratum[sizes[k]] = k;
        var sum = new double[sizes.Count, players];
        var count = new int[sizes.Count, players];
        var inS = new bool[players];
        foreach (var d in ordered)
        {
            var cc = d.Complementary;
            Array.Clear(inS);
            var sIdx = stratum[d.Size];
            var beta = control?.For(d, foldOf!(d));
            foreach (var i in d.Coalition)
            {
                inS[i] = true;
                sum[sIdx, i] += beta is null ? cc : AdditiveControl.Inside(beta, d, i, players);
                count[sIdx, i]++;
            }
            if (stratum.TryGetValue(players - d.Size, out var cIdx))
                for (var i = 0; i < players; i++)
                    if (!inS[i])
                    {
                        sum[cIdx, i] += beta is null ? -cc : AdditiveControl.Outside(beta, d, i, players);
                        count[cIdx, i]++;
                    }
        }
        var ssv = new double[players];
        for (var i = 0; i < players; i++)
            for (var k = 0; k < sizes.Count; k++)
                if (count[k, i] > 0) ssv[i] += sum[k, i] / count[k, i];
        return ssv;
    }

    /// <summary>Joins the checkpoints of the shards of one run (any shard counts, overlaps allowed when they
    /// agree) into the result a single process would have produced.</summary>
    public static SlicedShapleyResult Merge(IEnumerable<ShapleyCheckpoint> parts, bool controlVariate = false)
    {
        var list = parts.ToList();
        if (list.Count == 0) throw new ArgumentException("Nothing to merge.", nameof(parts));
        var first = list[0];
        var m = list.Max(p => p.SamplesPerSize);
        var plan = new CoalitionPlan(first.Players, first.Sizes, m, first.Seed, first.CoalitionDesign);
        var draws = new SortedDictionary<int, ShapleyDraw>();
        for (var p = 0; p < list.Count; p++)
        {
            list[p].EnsureCompatible(first.Players, first.Sizes, first.Seed, first.Tag, $"part {p}", first.CoalitionDesign);
            foreach (var d in list[p].Draws)
            {
                var v = Validated(plan, d, $"part {p}");
                if (draws.TryGetValue(d.Index, out var prior) && (prior.UtilityIn != v.UtilityIn || prior.UtilityOut != v.UtilityOut))
                    throw new InvalidOperationException($"Draw {d.Index} has different utilities in two parts: the utility is not deterministic or the parts are of different games.");
                draws[d.Index] = v;
            }
        }
        var all = draws.Values.ToArray();
        return new SlicedShapleyResult(Estimate(plan, all, controlVariate), first.Players, first.Sizes, m, first.Seed, all) { DrawsTotal = plan.Count };
    }

    public static SlicedShapleyResult MergeFiles(IEnumerable<string> checkpointPaths, bool controlVariate = false) =>
        Merge(checkpointPaths.Select(ShapleyCheckpoint.Load), controlVariate);

    static async Task<ShapleyDraw> EvaluateDrawAsync(CoalitionPlan plan, int j, ICoalitionUtility utility, CancellationToken ct)
    {
        var coalition = plan.Coalition(j);
        var inside = new HashSet<int>(coalition);
        var outside = new HashSet<int>(Enumerable.Range(0, plan.Players).Where(i => !inside.Contains(i)));
        var uIn = await utility.EvaluateAsync(inside, ct).ConfigureAwait(false);
        var uOut = await utility.EvaluateAsync(outside, ct).ConfigureAwait(false);
        if (!double.IsFinite(uIn) || !double.IsFinite(uOut))
            throw new InvalidOperationException($"Utility returned a non-finite value for draw {j} ({uIn}, {uOut}).");
        return new ShapleyDraw(j, coalition, uIn, uOut);
    }

    static ShapleyDraw Validated(CoalitionPlan plan, ShapleyDraw d, string source)
    {
        if (d.Index < 0 || d.Index >= plan.Count) throw new InvalidDataException($"{source}: draw index {d.Index} is outside 0..{plan.Count - 1}.");
        if (!d.Coalition.SequenceEqual(plan.Coalition(d.Index)))
            throw new InvalidDataException($"{source}: draw {d.Index}'s coalition differs from the seeded sequence (written by another version of the sampler?).");
        return d;
    }
}
