using CoKv.Metrics;
using CoKv.Profiling;
using CoKv.Shapley;
using Xunit.Abstractions;

namespace CoKv.Tests;

/// <summary>The coalition utilities on stories260K (a real model): sane ordering, bit-for-bit determinism, and how
/// the Shapley ranking of the cheap log-likelihood utility agrees with the exact metric's.</summary>
public sealed class UtilityTests(ITestOutputHelper output)
{
    static PreparedSample[] NameSamples() => ProfilingFixtures.StorySamples(ProfilingFixtures.NameCuts(), goldLength: 6);

    [Fact]
    public async Task LogLikelihoodOfAllHeadsBeatsWindowOnlyAndRepeatsExactly()
    {
        var model = ProfilingFixtures.Stories;
        var prefilled = NameSamples().Select(s => PrefilledSample.Run(model.Decoder, s)).ToArray();
        using var utility = new LogLikelihoodUtility(model.Decoder, prefilled, new HeadPlayers(model.Layers, model.KvHeads), window: 4);
        var all = Enumerable.Range(0, 20).ToHashSet();
        var some = new HashSet<int> { 1, 8, 9, 17 };
        double uAll = await utility.EvaluateAsync(all, default), uNone = await utility.EvaluateAsync(new HashSet<int>(), default);
        double uSome = await utility.EvaluateAsync(some, default);
        output.WriteLine($"U(all) {uAll:F4}  U(some) {uSome:F4}  U(none) {uNone:F4}");
        Assert.True(uAll > uNone);
        Assert.Equal(uSome, await utility.EvaluateAsync(some, default)); // exact equality: checkpoints and shards rely on it
        Assert.Equal(uAll, await utility.EvaluateAsync(all, default));
    }

    [Fact]
    public async Task NormalizedLogLikelihoodScalesEverySampleFromWindowOnlyToFullCache()
    {
        var model = ProfilingFixtures.Stories;
        var prefilled = NameSamples().Select(s => PrefilledSample.Run(model.Decoder, s)).ToArray();
        var players = new HeadPlayers(model.Layers, model.KvHeads);
        using var normalized = new NormalizedLogLikelihoodUtility(model.Decoder, prefilled, players, window: 4, ownsSamples: false);
        var all = Enumerable.Range(0, players.Count).ToHashSet();
        var some = new HashSet<int> { 1, 8, 9, 17 };
        // Each sample on its own through the plain log-likelihood: (LL(S) − LL(∅)) / (LL(N) − LL(∅)), then the mean.
        var expected = new List<double>();
        int moved = 0;
        foreach (var p in prefilled)
        {
            using var one = new LogLikelihoodUtility(model.Decoder, [p], players, window: 4, ownsSamples: false);
            double none = await one.EvaluateAsync(new HashSet<int>(), default), full = await one.EvaluateAsync(all, default);
            double atSome = await one.EvaluateAsync(some, default);
            bool counts = Math.Abs(full - none) >= NormalizedLogLikelihoodUtility.MinSpan;
            moved += counts ? 1 : 0;
            expected.Add(counts ? (atSome - none) / (full - none) : 0);
        }
        double uSome = await normalized.EvaluateAsync(some, default);
        output.WriteLine($"normalized U(some) {uSome:F4} over {prefilled.Length} samples ({moved} moved by the cache)");
        Assert.True(moved > 0);
        Assert.Equal(expected.Average(), uSome, 12);
        Assert.Equal((double)moved / prefilled.Length, await normalized.EvaluateAsync(all, default), 12);
        Assert.Equal(0, await normalized.EvaluateAsync(new HashSet<int>(), default), 12);
        Assert.Equal(uSome, await normalized.EvaluateAsync(some, default)); // deterministic
        foreach (var p in prefilled) p.Dispose();
    }

    [Fact]
    public async Task FullCacheLogLikelihoodEqualsTeacherForcingTheWholeSequence()
    {
        // The T>1 append into the compressed cache must score the gold exactly like one plain forward pass.
        var model = ProfilingFixtures.Stories;
        var sample = NameSamples()[0];
        using var prefilled = PrefilledSample.Run(model.Decoder, sample);
        using var utility = new LogLikelihoodUtility(model.Decoder, [prefilled], new HeadPlayers(model.Layers, model.KvHeads), window: 4, ownsSamples: false);
        double viaCache = await utility.EvaluateAsync(Enumerable.Range(0, 20).ToHashSet(), default);
        double reference;
        using (TorchSharp.torch.no_grad())
        using (TorchSharp.torch.NewDisposeScope())
        {
            var all = sample.Prompt.Concat(sample.Gold).Select(t => (long)t).ToArray();
            var logProbs = model.Decoder.forward(TorchSharp.torch.tensor(all).unsqueeze(0))[0].log_softmax(-1);
            reference = Enumerable.Range(0, sample.Gold.Length)
                .Average(i => (double)logProbs[sample.Prompt.Length - 1 + i, sample.Gold[i]].item<float>());
        }
        Assert.Equal(reference, viaCache, 4);
    }

    [Fact]
    public async Task LogLikelihoodAndMetricShapleyRankingsAgreeOnTheSmallGame()
    {
        var model = ProfilingFixtures.Stories;
        var cuts = ProfilingFixtures.NameCuts();
        var story = ProfilingFixtures.StoryTokens();
        // Metric: qa-F1 of the greedy words against the story's own words there (the full cache's greedy answer).
        var samples = cuts.Select(c => new PreparedSample($"story@{c}", "story", story[..c], story[c..(c + 6)], 6,
            text => new QaF1Metric().Score(text, [model.Tokenizer.Decode(story[c..(c + 6)])]))).ToArray();
        var prefilled = samples.Select(s => PrefilledSample.Run(model.Decoder, s)).ToArray();
        var players = HeadPlayers.OfLayers(model.Layers, model.KvHeads, [0, 2]);
        using var loglik = new LogLikelihoodUtility(model.Decoder, prefilled, players, window: 4, ownsSamples: false);
        using var metric = new MetricUtility(model.Decoder, model.Tokenizer, prefilled, players, window: 4);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var byLoglik = await ExactShapley.ComputeAsync(players.Count, loglik);
        var loglikSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var byMetric = await ExactShapley.ComputeAsync(players.Count, metric);
        double rho = RankStatistics.Spearman(byLoglik, byMetric);
        output.WriteLine($"exact Shapley, loglik ({loglikSeconds:F1} s): {string.Join(" ", byLoglik.Select(v => v.ToString("F4")))}");
        output.WriteLine($"exact Shapley, metric ({clock.Elapsed.TotalSeconds:F1} s): {string.Join(" ", byMetric.Select(v => v.ToString("F4")))}");
        output.WriteLine($"Spearman(loglik, metric) = {rho:F3}");
        // Measured 0.778 over the 8 players; both games are deterministic, so a drop means one utility changed.
        Assert.True(rho >= 0.6, $"the log-likelihood ranking no longer agrees with the metric's: Spearman {rho}");
    }
}
