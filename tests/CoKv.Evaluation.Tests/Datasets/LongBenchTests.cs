using CoKv.Datasets;

namespace CoKv.Evaluation.Tests.Datasets;

public class LongBenchTests
{
    static readonly string[] English =
    [
        "narrativeqa", "qasper", "multifieldqa_en", "hotpotqa", "2wikimqa", "musique", "gov_report", "qmsum",
        "multi_news", "trec", "triviaqa", "samsum", "passage_count", "passage_retrieval_en", "lcc", "repobench-p",
    ];

    [Fact]
    public void Catalog_covers_the_english_datasets()
    {
        foreach (var name in English)
        {
            var info = DatasetCatalog.Get(name);
            Assert.Contains("{context}", info.PromptTemplate);
            Assert.Contains(info.Category, TaskCategories.All);
        }
        Assert.Equal(128, DatasetCatalog.MaxNewTokens("narrativeqa"));
        Assert.Equal(512, DatasetCatalog.MaxNewTokens("multi_news"));
        Assert.Equal(32, DatasetCatalog.MaxNewTokens("passage_retrieval_en"));
        Assert.Equal("code_sim", DatasetCatalog.MetricFor("repobench-p"));
        Assert.Equal(TaskCategories.MultiDocQa, DatasetCatalog.CategoryOf("musique"));
        Assert.Equal(TaskCategories.FewShot, DatasetCatalog.CategoryOf("samsum"));
    }

    [Fact]
    public void Prompt_is_filled_in_one_pass()
    {
        var p = DatasetCatalog.Get("repobench-p").FormatPrompt("int f() { return {input}; }\n", "x = ");
        Assert.Equal("Please complete the code given below. \nint f() { return {input}; }\nx = Next line of code:\n", p);
    }

    [Fact]
    public void Loads_a_longbench_line_and_writes_it_back()
    {
        const string line =
            "{\"input\": \"Who?\", \"context\": \"Passage 1:\\nAda wrote it.\", \"answers\": [\"Ada\"], \"length\": 4, " +
            "\"dataset\": \"hotpotqa\", \"language\": \"en\", \"all_classes\": null, \"_id\": \"abc\"}";
        var s = Assert.Single(TaskSampleJsonl.Read(new StringReader(line + "\n\n")));
        Assert.Equal(("abc", "hotpotqa", TaskCategories.MultiDocQa, "Who?", 4), (s.Id, s.Dataset, s.Category, s.Input, s.Length));
        Assert.Equal("Passage 1:\nAda wrote it.", s.Context);
        Assert.Equal(["Ada"], s.Answers);
        Assert.Null(s.AllClasses);

        var writer = new StringWriter();
        TaskSampleJsonl.Write(writer, [s with { AllClasses = ["a", "b"] }]);
        var back = Assert.Single(TaskSampleJsonl.Read(new StringReader(writer.ToString())));
        Assert.Equal(["a", "b"], back.AllClasses);
        Assert.Equal(s.Context, back.Context);
    }

    [Fact]
    public void Unknown_dataset_without_category_is_a_clear_error()
    {
        const string line = "{\"input\": \"q\", \"context\": \"c\", \"answers\": [\"a\"], \"dataset\": \"mine\"}";
        var e = Assert.Throws<InvalidDataException>(() => TaskSampleJsonl.Read(new StringReader(line), source: "x.jsonl"));
        Assert.Contains("x.jsonl:1", e.Message);
        Assert.Equal("code", Assert.Single(TaskSampleJsonl.Read(new StringReader(line), category: "code")).Category);
    }

    [Fact]
    public void Split_is_seeded_disjoint_and_15_percent_by_default()
    {
        var samples = Enumerable.Range(0, 100)
            .Select(i => new TaskSample($"s{i}", "hotpotqa", TaskCategories.MultiDocQa, "c", "q", ["a"], null, 1)).ToList();
        var a = DatasetSplit.Create(samples, seed: 1);
        var b = DatasetSplit.Create(samples, seed: 1);
        var c = DatasetSplit.Create(samples, seed: 2);
        Assert.Equal(15, a.Validation.Count);
        Assert.Equal(85, a.Test.Count);
        Assert.Equal(a.Validation.Select(s => s.Id), b.Validation.Select(s => s.Id));
        Assert.NotEqual(a.Validation.Select(s => s.Id), c.Validation.Select(s => s.Id));
        Assert.Empty(a.Validation.Select(s => s.Id).Intersect(a.Test.Select(s => s.Id)));
        Assert.Single(DatasetSplit.Create(samples.Take(3).ToList()).Validation);
    }
}
