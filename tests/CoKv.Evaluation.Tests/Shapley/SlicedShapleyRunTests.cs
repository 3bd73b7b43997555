using CoKv.Shapley;

namespace CoKv.Evaluation.Tests.Shapley;

/// <summary>Reproducibility: seeds, resume after interruption, shards, parallel workers.</summary>
public class SlicedShapleyRunTests
{
    const int N = 16;
    static readonly Func<IReadOnlySet<int>, double> Game = Games.Additive(Games.RandomWeights(N, 7));
    static SlicedShapleyOptions Options(long seed = 3) => new() { SamplesPerSize = 10, Seed = seed, CheckpointEvery = 3 };

    [Fact]
    public async Task Same_seed_same_result_other_seed_other_coalitions()
    {
        var a = await SlicedShapleyEstimator.RunAsync(N, new DelegateUtility(Game), Options());
        var b = await SlicedShapleyEstimator.RunAsync(N, new DelegateUtility(Game), Options());
        var c = await SlicedShapleyEstimator.RunAsync(N, new DelegateUtility(Game), Options(seed: 4));
        Assert.Equal(a.Values, b.Values);
        Assert.True(a.Complete);
        Assert.NotEqual(a.Draws[0].Coalition, c.Draws[0].Coalition);
    }

    [Fact]
    public async Task Parallel_workers_give_the_same_result_as_one()
    {
        var one = await SlicedShapleyEstimator.RunAsync(N, new CountingUtility(Game), Options());
        var four = await SlicedShapleyEstimator.RunAsync(N, new CountingUtility(Game), Options() with { MaxParallelism = 4 });
        Assert.Equal(one.Values, four.Values);
    }

    [Fact]
    public async Task Resume_after_interruption_equals_uninterrupted_run()
    {
        var dir = TestPaths.TempDir("ssv-resume");
        var path = Path.Combine(dir, "run.ckpt.json");
        var reference = await SlicedShapleyEstimator.RunAsync(N, new DelegateUtility(Game), Options());

        using var cts = new CancellationTokenSource();
        var interrupting = new InterruptingUtility(Game, cancelAfter: 23, cts);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            SlicedShapleyEstimator.RunAsync(N, interrupting, Options() with { CheckpointPath = path }, cts.Token));
        var saved = ShapleyCheckpoint.Load(path);
        Assert.Equal(11, saved.Draws.Length); // 23 calls: 11 whole draws, the 12th stopped between U(S) and U(N∖S).

        var counting = new CountingUtility(Game);
        var resumed = await SlicedShapleyEstimator.RunAsync(N, counting, Options() with { CheckpointPath = path });
        Assert.Equal(reference.Values, resumed.Values);
        Assert.Equal(2 * (reference.DrawsTotal - 11), counting.Calls); // stored draws are not evaluated again
        Assert.Empty(Directory.GetFiles(dir, "*.tmp")); // atomic writes leave no temp files
    }

    [Fact]
    public async Task Three_shards_merged_equal_the_single_run()
    {
        var dir = TestPaths.TempDir("ssv-shards");
        var reference = await SlicedShapleyEstimator.RunAsync(N, new DelegateUtility(Game), Options());
        var paths = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var path = Path.Combine(dir, $"shard{i}.json");
            var part = await SlicedShapleyEstimator.RunAsync(N, new DelegateUtility(Game), Options() with { CheckpointPath = path, Shard = ShardSpec.Parse($"{i}/3") });
            Assert.False(part.Complete);
            Assert.All(part.Draws, d => Assert.Equal(i, d.Index % 3));
            paths.Add(path);
        }
        var merged = SlicedShapleyEstimator.MergeFiles(paths);
        Assert.True(merged.Complete);
        Assert.Equal(reference.Values, merged.Values);
    }

    [Fact]
    public async Task Checkpoint_of_another_game_is_refused()
    {
        var path = Path.Combine(TestPaths.TempDir("ssv-mismatch"), "c.json");
        await SlicedShapleyEstimator.RunAsync(N, new DelegateUtility(Game), Options() with { CheckpointPath = path });
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            SlicedShapleyEstimator.RunAsync(N, new DelegateUtility(Game), Options(seed: 99) with { CheckpointPath = path }));
        Assert.Contains("seed=99", e.Message);
    }

    [Fact]
    public void Shard_spec_parses_and_validates()
    {
        Assert.Equal(new ShardSpec(1, 3), ShardSpec.Parse("1/3"));
        Assert.Throws<FormatException>(() => ShardSpec.Parse("1-3"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardSpec.Parse("3/3"));
    }
}

public class SlicedShapleyResultTests
{
    [Fact]
    public void Values_map_row_major_onto_head_scores()
    {
        var r = new SlicedShapleyResult([1, 2, 3, 4, 5, 6], 6, [3], 1, 0, []);
        var scores = r.ToHeadScores(layers: 3, kvHeads: 2);
        Assert.Equal(4, scores[1, 1]);
        Assert.Throws<ArgumentException>(() => r.ToHeadScores(2, 2));
    }
}
