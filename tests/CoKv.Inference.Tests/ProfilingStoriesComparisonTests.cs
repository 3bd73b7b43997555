using CoKv.Compression;
using CoKv.Profiles;
using CoKv.Profiling;
using CoKv.Shapley;
using Xunit.Abstractions;

namespace CoKv.Tests;

/// <summary>
/// A stand-in for the policy comparison while the default model trains: stories260K (a real model, 20 KV heads),
/// profiles (CoKV SSV at M = 32 with two seeds, BaKlaVa) made on 7 cut points of its own story, every policy scored on
/// 7 other cut points by the gold continuation's mean log-likelihood (8 tokens, window 8) at budgets 16–48 on prompts
/// of 73–181 tokens. Prints the table; asserts only that every figure is finite and the full cache is the reference.
/// </summary>
public sealed class ProfilingStoriesComparisonTests(ITestOutputHelper output)
{
    [Fact]
    public async Task EveryPolicyAtEveryBudgetOnStories()
    {
        var model = ProfilingFixtures.Stories;
        var profileCuts = Enumerable.Range(0, 7).Select(i => 64 + 18 * i).ToArray();      // 64..172
        var testCuts = Enumerable.Range(0, 7).Select(i => 73 + 18 * i).ToArray();
        var profiling = ProfilingFixtures.StorySamples(profileCuts, 8).Select(s => PrefilledSample.Run(model.Decoder, s, 8)).ToArray();
        var test = ProfilingFixtures.StorySamples(testCuts, 8).Select(s => PrefilledSample.Run(model.Decoder, s, 8)).ToArray();
        var players = new HeadPlayers(model.Layers, model.KvHeads);
        using var utility = new LogLikelihoodUtility(model.Decoder, profiling, players, window: 8, ownsSamples: false);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (a, b, report) = await ShapleyConvergence.RunTwiceAsync(20, utility, new SlicedShapleyOptions { SamplesPerSize = 32, Seed = 1 }, 2);
        output.WriteLine($"SSV M=32 two seeds: {report} in {clock.Elapsed.TotalSeconds:F1} s");
        var ssv = HeadScores.Create(5, 4, a.Values.Zip(b.Values, (x, y) => (x + y) / 2).ToArray());
        var baklava = new BaKlaVaProfiler(model).Profile(ProfilingFixtures.StorySamples(profileCuts, 8), 8);
        output.WriteLine($"baklava strength {baklava.BestStrength}");
        var imp = HeadScores.Create(5, 4, baklava.Importances);
        output.WriteLine($"mean gold log-likelihood per token at B = 16, 24, 32, 48; prompt lengths {string.Join(",", test.Select(t => t.PromptLength))}");
        foreach (var name in new[] { "full", "streaming", "snapkv", "pyramid", "ada", "baklava", "cokv", "cokv-z0.05", "cokv-seed1" })
        {
            var line = $"{name,-10}";
            foreach (var budget in new[] { 16, 24, 32, 48 })
            {
                double sum = 0;
                foreach (var t in test)
                {
                    var policy = name switch { "cokv" => BudgetPolicies.Create(name, ssv), "cokv-z0.05" => BudgetPolicies.Create("cokv", ssv, 0.05), "cokv-seed1" => BudgetPolicies.Create("cokv", HeadScores.Create(5, 4, a.Values)), "baklava" => BudgetPolicies.Create(name, imp, baklava.BestStrength), _ => BudgetPolicies.Create(name) };
                    using var cache = new SnapKvCompressor(policy, budget, new SnapKvOptions { Window = 8 }, reserve: 8).Compress(t.Cache).Cache;
                    sum += Continuation.GoldLogLikelihood(model.Decoder, t, cache);
                }
                Assert.True(double.IsFinite(sum));
                line += $" {sum / test.Length,8:F3}";
            }
            output.WriteLine(line);
        }
    }
}
