using CoKv.Datasets;
using CoKv.Metrics;

namespace CoKv.Evaluation.Tests.Metrics;

public class MetricTests
{
    const double Eps = 1e-12;

    [Fact]
    public void Normalisation_lowercases_drops_punctuation_articles_and_extra_space() =>
        Assert.Equal("quick brown fox apple", AnswerNormalizer.Normalize("The Quick, brown  fox!  An apple."));

    [Fact]
    public void Normalisation_keeps_articles_inside_words() =>
        Assert.Equal("theater anthem", AnswerNormalizer.Normalize("a theater, the anthem"));

    [Fact]
    public void QaF1_hand_computed()
    {
        // "cat sat on mat" vs "cat on mat": 3 common, P = 3/4, R = 1, F1 = 6/7.
        Assert.Equal(6.0 / 7, new QaF1Metric().Score("The cat sat on the mat.", ["a cat on a mat"]), Eps);
    }

    [Fact]
    public void QaF1_takes_the_best_reference_and_counts_repeats_once_each()
    {
        var m = new QaF1Metric();
        Assert.Equal(1.0, m.Score("Paris", ["London", "paris"]), Eps);
        // pred "a b" → "b" (article dropped); ref "b b": common 1 (multiset), P = 1, R = 1/2, F1 = 2/3.
        Assert.Equal(2.0 / 3, m.Score("a b", ["b b"]), Eps);
        Assert.Equal(0.0, m.Score("nothing", ["else"]));
    }

    [Fact]
    public void RougeL_hand_computed()
    {
        // LCS of "the cat sat on the mat" / "the cat lay on the mat" = "the cat on the mat" (5 of 6 each way).
        Assert.Equal(5.0 / 6, new RougeLMetric().Score("The cat sat on the mat", ["the cat lay on the mat"]), Eps);
        // LCS "a c" = 2; P = 2/3, R = 2/4, F = 2·(2/3)(1/2)/(2/3 + 1/2) = 4/7.
        Assert.Equal(4.0 / 7, new RougeLMetric().Score("a b c", ["a c d e"]), Eps);
        Assert.Equal(0.0, new RougeLMetric().Score("", ["a"]));
    }

    [Fact]
    public void Classification_as_LongBench()
    {
        var m = new ClassificationMetric();
        string[] classes = ["location", "other location", "person"];
        // "location" is part of the gold label, so it does not count as a second match.
        Assert.Equal(1.0, m.Score("other location", ["other location"], classes), Eps);
        Assert.Equal(0.5, m.Score("person or other location", ["other location"], classes), Eps);
        Assert.Equal(0.0, m.Score("person", ["other location"], classes), Eps);
        Assert.Throws<ArgumentException>(() => m.Score("person", ["person"]));
    }

    [Fact]
    public void CodeSim_uses_first_non_comment_line_and_fuzz_ratio()
    {
        Assert.Equal("x = 1", CodeSimilarityMetric.FirstCodeLine("\n```python\n# set x\nx = 1\ny = 2"));
        Assert.Equal(1.0, new CodeSimilarityMetric().Score("```\n// c\nx = 1\n", ["x = 1"]), Eps);
        // "abcd"/"abed": LCS 3, 2·3/8 = 75.
        Assert.Equal(75, CodeSimilarityMetric.FuzzRatio("abcd", "abed"));
        // "kitten"/"sitting": LCS "ittn" = 4, 8/13 = 61.5 → 62.
        Assert.Equal(62, CodeSimilarityMetric.FuzzRatio("kitten", "sitting"));
        Assert.Equal(0, CodeSimilarityMetric.FuzzRatio("", "x"));
    }

    [Fact]
    public void Count_and_retrieval_share_of_numbers()
    {
        Assert.Equal(2.0 / 3, new CountMetric().Score("There are 3 or 4, I think 3", ["3"]), Eps);
        Assert.Equal(0.0, new CountMetric().Score("no idea", ["3"]));
        Assert.Equal(1.0, new RetrievalMetric().Score("Paragraph 12", ["Paragraph 12"]), Eps);
        Assert.Equal(0.5, new RetrievalMetric().Score("Paragraph 1 or 12", ["Paragraph 12"]), Eps);
    }

    [Fact]
    public void Ruler_string_match_all_and_part()
    {
        string[] refs = ["1234", "5678", "9999"];
        Assert.Equal(2.0 / 3, new StringMatchAllMetric().Score("Numbers: 1234 and 5678.", refs), Eps);
        Assert.Equal(1.0, new StringMatchPartMetric().Score("Numbers: 1234 and 5678.", refs));
        Assert.Equal(0.0, new StringMatchPartMetric().Score("none", refs));
        Assert.Equal(1.0, new StringMatchAllMetric().Score("ABC-def", ["abc-DEF"]));
    }

    [Fact]
    public void Registry_has_every_metric_the_catalog_names()
    {
        foreach (var info in DatasetCatalog.All) Assert.True(MetricRegistry.TryGet(info.Metric, out _), info.Metric);
        Assert.Throws<KeyNotFoundException>(() => MetricRegistry.Get("bleu"));
    }

    [Fact]
    public void Scorer_keeps_only_the_first_line_for_few_shot_datasets()
    {
        var sample = new TaskSample("1", "triviaqa", TaskCategories.FewShot, "ctx", "q", ["Paris"], null, 10);
        Assert.Equal(1.0, TaskScorer.Score(sample, "\nParis\nQuestion: what is the capital of Spain"), Eps);
        var qa = sample with { Dataset = "hotpotqa" };
        Assert.True(TaskScorer.Score(qa, "\nParis\nQuestion: what") < 1.0);
    }
}
