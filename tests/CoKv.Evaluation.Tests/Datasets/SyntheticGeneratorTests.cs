using CoKv.Datasets;
using CoKv.Datasets.Synthetic;
using CoKv.Evaluation.Tests.Fakes;

namespace CoKv.Evaluation.Tests.Datasets;

public class SyntheticGeneratorTests
{
    const int Target = 1000;
    static readonly WhitespaceTokenizer Tokenizer = new();

    public static TheoryData<string> Builtin => new(SyntheticGenerators.Names);

    [Theory]
    [MemberData(nameof(Builtin))]
    public void Reaches_the_target_length_within_5_percent(string dataset)
    {
        var samples = SyntheticGenerators.Create(dataset).Generate(Tokenizer, Target, count: 3, seed: 1);
        Assert.Equal(3, samples.Count);
        var info = DatasetCatalog.Get(dataset);
        foreach (var s in samples)
        {
            var tokens = Tokenizer.Encode(info.FormatPrompt(s), addBos: false).Count;
            Assert.Equal(tokens, s.Length);
            Assert.InRange(tokens, 0.95 * Target, 1.05 * Target);
            Assert.Equal(TaskCategories.Synthetic, s.Category);
            Assert.Equal(dataset, s.Dataset);
        }
    }

    [Theory]
    [MemberData(nameof(Builtin))]
    public void Deterministic_by_seed(string dataset)
    {
        var a = SyntheticGenerators.Create(dataset).Generate(Tokenizer, Target, 2, seed: 5);
        var b = SyntheticGenerators.Create(dataset).Generate(Tokenizer, Target, 2, seed: 5);
        var c = SyntheticGenerators.Create(dataset).Generate(Tokenizer, Target, 2, seed: 6);
        Assert.Equal(a.Select(TaskSampleJsonl.ToJson), b.Select(TaskSampleJsonl.ToJson));
        Assert.NotEqual(a[0].Context, c[0].Context);
        Assert.NotEqual(a[0].Context, a[1].Context);
    }

    [Theory]
    [InlineData(NeedleKind.Single, 1)]
    [InlineData(NeedleKind.MultiKey, 1)]
    [InlineData(NeedleKind.MultiValue, 4)]
    [InlineData(NeedleKind.MultiQuery, 4)]
    public void Needles_are_in_the_context(NeedleKind kind, int answers)
    {
        foreach (var s in new NeedleGenerator(kind).Generate(Tokenizer, Target, 5, seed: 2))
        {
            Assert.Equal(answers, s.Answers.Count);
            foreach (var a in s.Answers)
            {
                Assert.Matches(@"^\d{7}$", a);
                Assert.Contains($" is: {a}.", s.Context);
            }
            var key = s.Input.Split("for ")[1].Split(' ')[0].TrimEnd(',');
            Assert.Contains($"numbers for {key} is: ", s.Context);
        }
        if (kind == NeedleKind.MultiKey)
        {
            var s = new NeedleGenerator(kind).Generate(Tokenizer, Target, 1, seed: 2)[0];
            Assert.Equal(4, s.Context.Split("special magic numbers for").Length - 1); // three distractor keys
        }
    }

    [Fact]
    public void Needles_can_hide_in_real_text()
    {
        var text = string.Join(" ", Enumerable.Range(0, 50).Select(i => $"Essay sentence number {i} says something."));
        var s = new NeedleGenerator(NeedleKind.Single, Haystack.FromText(text)).Generate(Tokenizer, 500, 1, seed: 1)[0];
        Assert.Contains("Essay sentence number", s.Context);
        Assert.Contains(s.Answers[0], s.Context);
    }

    [Fact]
    public void Variable_chain_is_in_the_context_in_order()
    {
        var s = new VariableTrackingGenerator().Generate(Tokenizer, Target, 1, seed: 3)[0];
        Assert.Equal(5, s.Answers.Count);
        var value = s.Input.Split("value ")[1].Split(' ')[0];
        var at = s.Context.IndexOf($"VAR {s.Answers[0]} = {value}.", StringComparison.Ordinal);
        Assert.True(at >= 0);
        for (var h = 1; h < s.Answers.Count; h++)
        {
            var next = s.Context.IndexOf($"VAR {s.Answers[h]} = VAR {s.Answers[h - 1]}.", StringComparison.Ordinal);
            Assert.True(next > at, $"hop {h} out of order");
            at = next;
        }
    }

    [Fact]
    public void Common_words_are_the_most_frequent()
    {
        var s = new CommonWordsGenerator().Generate(Tokenizer, 2000, 1, seed: 4)[0];
        var counts = s.Context.Split(' ').Where(t => !t.EndsWith('.')).GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(10, s.Answers.Count);
        Assert.All(s.Answers, a => Assert.Equal(30, counts[a]));
        Assert.All(counts.Where(kv => !s.Answers.Contains(kv.Key)), kv => Assert.Equal(3, kv.Value));
    }

    [Fact]
    public void Frequent_words_are_the_top_three()
    {
        var s = new FrequentWordsGenerator().Generate(Tokenizer, Target, 1, seed: 4)[0];
        var top = s.Context.Split(" .... ").GroupBy(t => t).OrderByDescending(g => g.Count()).ToList();
        Assert.Equal(s.Answers, top.Take(3).Select(g => g.Key));
        Assert.True(top[2].Count() > top[3].Count());
    }

    [Fact]
    public void Document_qa_puts_the_gold_document_among_distractors_from_files()
    {
        var dir = TestPaths.TempDir("docqa");
        for (var i = 0; i < 40; i++)
            File.WriteAllText(Path.Combine(dir, $"d{i:00}.txt"), string.Join(" ", Enumerable.Repeat($"Distractor {i} talks about other things.", 8)));
        QaItem[] items =
        [
            new("The lighthouse on Brel Island was built in 1871 by Ada Korr.", "Who built the lighthouse on Brel Island?", ["Ada Korr"]),
            new("The river Tamsel freezes every January.", "Which month does the Tamsel freeze?", ["January"]),
        ];
        var gen = DocumentQaGenerator.FromFiles(items, Directory.GetFiles(dir, "*.txt"));
        var samples = gen.Generate(Tokenizer, Target, 4, seed: 9);
        for (var i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            Assert.Contains(items[i % 2].Document, s.Context);
            Assert.Contains(s.Answers[0], s.Context);
            Assert.Contains("Distractor", s.Context);
            Assert.InRange(s.Length, 0.95 * Target, Target);
            Assert.Equal(TaskCategories.MultiDocQa, s.Category);
        }
        // Too few distractors for the target: a clear error, not a short sample.
        var e = Assert.Throws<InvalidOperationException>(() => gen.Generate(Tokenizer, 100_000, 1, seed: 9));
        Assert.Contains("ran out", e.Message);
    }

    [Fact]
    public void Generated_samples_round_trip_through_the_jsonl_loader()
    {
        var path = Path.Combine(TestPaths.TempDir("synth-jsonl"), "niah.jsonl");
        var samples = SyntheticGenerators.Names.SelectMany(n => SyntheticGenerators.Create(n).Generate(Tokenizer, Target, 2, seed: 1)).ToList();
        TaskSampleJsonl.Save(path, samples);
        var loaded = TaskSampleJsonl.Load(path);
        Assert.Equal(samples.Select(TaskSampleJsonl.ToJson), loaded.Select(TaskSampleJsonl.ToJson));
        Assert.Equal(DatasetHash.OfFile(path), DatasetHash.OfSamples(loaded));
    }
}
