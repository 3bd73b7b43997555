using CoKv.Profiling;

namespace CoKv.Tests;

/// <summary>
/// llama.cpp (through LLamaSharp) as an engine row of the policy evaluator, as <c>cokv eval --policies llamasharp,…</c>
/// runs it: on stories260K, whose logits agree with ours to ~1e-5 of their spread, its greedy answers are ours.
/// </summary>
[Collection(ParityCollection.Name)]
public sealed class ParityEvalEngineTests(ParityFixture fixture)
{
    [Fact]
    public void LlamaSharp_row_is_scored_once_per_sample_and_answers_as_our_full_cache()
    {
        var model = ProfilingFixtures.Stories;
        var samples = ProfileData.ForEvaluation(new ProfileDataSource(SyntheticKind: "niah_single", SyntheticLength: 300, SyntheticCount: 2), model.Tokenizer);
        var calls = 0;
        var evaluator = new PolicyEvaluator(model)
        {
            Engines = new Dictionary<string, ReferenceEngine>
            {
                ["llamasharp"] = (prompt, maxNew, stops) =>
                {
                    calls++;
                    return fixture.Context.GenerateGreedy(prompt, maxNew, stopAtEog: false, stopTokens: stops);
                },
            },
        };
        var answers = new List<EvalAnswer>();
        var rows = evaluator.Run(samples, ["llamasharp", "full", "snapkv"], [16, 32], (_, _) => null, answers: answers.Add);

        Assert.Equal(samples.Count, calls);
        Assert.Equal(3 * 2, rows.Count);
        Assert.Equal([16, 32], rows.Where(r => r.Policy == "llamasharp").Select(r => r.Budget));
        foreach (var sample in samples)
        {
            var ours = answers.Single(a => a.SampleId == sample.Id && a.Policy == "full");
            var theirs = answers.Single(a => a.SampleId == sample.Id && a.Policy == "llamasharp");
            Assert.NotEmpty(theirs.Answer);
            Assert.Equal(ours.Answer, theirs.Answer);
            Assert.Equal(ours.Score, theirs.Score);
        }
    }

    [Fact]
    public void A_name_that_is_neither_a_policy_nor_an_engine_still_fails() =>
        Assert.ThrowsAny<ArgumentException>(() => new PolicyEvaluator(ProfilingFixtures.Stories)
            .Run([], ["llamasharp"], [16], (_, _) => null));
}
