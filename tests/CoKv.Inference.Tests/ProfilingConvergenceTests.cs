using System.Diagnostics;
using CoKv.Profiling;
using CoKv.Shapley;
using Xunit.Abstractions;

namespace CoKv.Tests;

/// <summary>CoKV's convergence check on a real game with every KV head a player (stories260K, 20 players, the
/// heroine's-name samples, window 4): the MAE between two seeds against 1/N as M grows, and the wall time.</summary>
public sealed class ProfilingConvergenceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task MeanAbsoluteErrorBetweenSeedsFallsWithM()
    {
        var model = ProfilingFixtures.Stories;
        var prefilled = ProfilingFixtures.StorySamples(ProfilingFixtures.NameCuts(), goldLength: 6).Select(s => PrefilledSample.Run(model.Decoder, s)).ToArray();
        var players = new HeadPlayers(model.Layers, model.KvHeads);
        using var utility = new LogLikelihoodUtility(model.Decoder, prefilled, players, window: 4);
        double span = await utility.EvaluateAsync(Enumerable.Range(0, players.Count).ToHashSet(), default) - await utility.EvaluateAsync(new HashSet<int>(), default);
        var maes = new List<double>();
        foreach (var m in new[] { 4, 16, 32 })
        {
            var clock = Stopwatch.StartNew();
            var (a, b, report) = await ShapleyConvergence.RunTwiceAsync(players.Count, utility, new SlicedShapleyOptions { SamplesPerSize = m, Seed = 1 }, secondSeed: 2);
            maes.Add(report.MeanAbsoluteError);
            output.WriteLine($"M = {m,2}: {report}; MAE / (U(all) − U(none)) = {report.MeanAbsoluteError / span:F3}; {a.Evaluations + b.Evaluations} utility calls in {clock.Elapsed.TotalSeconds:F1} s");
        }
        Assert.True(maes[^1] < maes[0], "more draws per size should bring two seeds closer");
    }
}
