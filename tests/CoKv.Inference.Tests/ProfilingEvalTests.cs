using CoKv.Datasets;
using CoKv.Metrics;
using CoKv.Profiles;
using CoKv.Profiling;

namespace CoKv.Tests;

/// <summary>The default model's task samples and the policy evaluator's bookkeeping (on stories260K, whose scores on
/// needle tasks are near zero: these tests check the harness, not the model).</summary>
public sealed class ProfilingEvalTests
{
    [Fact]
    public void DefaultKindsCarryTheGoldAnswerAndScoreOnTheirFacts()
    {
        foreach (var kind in DefaultTaskSamples.Names)
        {
            var samples = DefaultTaskSamples.Generate(kind, 256, 3, seed: 5);
            Assert.Equal(samples.Select(s => s.Input), DefaultTaskSamples.Generate(kind, 256, 3, seed: 5).Select(s => s.Input));
            foreach (var s in samples)
            {
                Assert.Equal(kind[DefaultTaskSamples.Prefix.Length..], s.Category);
                Assert.NotEmpty(s.AllClasses!);
                Assert.Equal(1.0, TaskScorer.Score(s, s.Answers[0]));
                Assert.Equal(1.0, TaskScorer.Score(s, string.Join(" ", s.AllClasses!)));
                Assert.True(TaskScorer.Score(s, "nothing of the kind") < 1.0);
                Assert.Equal(s.Context + " " + s.Input, DatasetCatalog.Get(s.Dataset).FormatPrompt(s));
            }
        }
    }

    [Fact]
    public async Task EvaluatorScoresEveryPolicyAndBudgetAndRefusesAMissingProfile()
    {
        var model = ProfilingFixtures.Stories;
        var samples = ProfileData.ForEvaluation(new ProfileDataSource(SyntheticKind: "niah_single", SyntheticLength: 300, SyntheticCount: 2), model.Tokenizer);
        var evaluator = new PolicyEvaluator(model);
        var ex = Assert.Throws<InvalidOperationException>(() => evaluator.Run(samples, ["snapkv", "cokv"], [16], (_, _) => null));
        Assert.Contains("cokv profile", ex.Message);

        var profile = await new ShapleyProfileBuilder(model).BuildAsync(new ProfileBuildRequest
        {
            TaskType = "synthetic", Data = new ProfileDataSource(SyntheticKind: "niah_single", SyntheticLength: 300, SyntheticCount: 1),
            SamplesPerSize = 2, CheckpointDirectory = TestPaths.TempDir("eval-profile"),
        }, null, default);
        var answers = new List<EvalAnswer>();
        var rows = evaluator.Run(samples, ["full", "streaming", "snapkv", "ada", "cokv"], [16, 32],
            (type, method) => type == "synthetic" && method == ProfileMethods.Cokv ? profile : null, answers: answers.Add);
        Assert.Equal(5 * 2, rows.Count);

        // Every answer is reported once (the full cache's once per sample), with the score its text earns.
        Assert.Equal(samples.Count * (1 + 4 * 2), answers.Count);
        foreach (var answer in answers)
            Assert.Equal(TaskScorer.Score(samples.Single(s => s.Id == answer.SampleId), answer.Answer), answer.Score);
        foreach (var row in rows)
            Assert.Equal(row.Score, answers.Where(a => a.Policy == row.Policy && (a.Policy == "full" || a.Budget == row.Budget)).Average(a => a.Score), 12);
        Assert.All(rows, r => Assert.Equal(2, r.N));
        Assert.All(rows.Where(r => r.Policy == "full"), r => Assert.Equal(r.FullScore, r.Score));
        Assert.All(rows, r => Assert.InRange(r.Score, 0, 1));
    }
}
