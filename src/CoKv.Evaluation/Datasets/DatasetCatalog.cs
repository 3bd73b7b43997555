namespace CoKv.Datasets;

/// <summary>
/// Prompt template, generation length, metric and task category per dataset: LongBench's English datasets (their
/// dataset2prompt / dataset2maxlen / dataset2metric) and the built-in synthetic ones. Unknown datasets can be
/// registered by the caller.
/// </summary>
public static class DatasetCatalog
{
    static readonly Dictionary<string, DatasetInfo> Entries = Build();

    public static IReadOnlyCollection<DatasetInfo> All
    {
        get { lock (Entries) return Entries.Values.ToArray(); }
    }

    public static DatasetInfo Get(string dataset) =>
        TryGet(dataset, out var info)
            ? info
            : throw new KeyNotFoundException($"Unknown dataset '{dataset}'. Known: {string.Join(", ", All.Select(e => e.Name).Order())}.");

    public static bool TryGet(string dataset, out DatasetInfo info)
    {
        lock (Entries) return Entries.TryGetValue(dataset, out info!);
    }

    public static void Register(DatasetInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        lock (Entries) Entries[info.Name] = info;
    }

    public static int MaxNewTokens(string dataset) => Get(dataset).MaxNewTokens;
    public static string MetricFor(string dataset) => Get(dataset).Metric;
    public static string CategoryOf(string dataset) => Get(dataset).Category;

    static Dictionary<string, DatasetInfo> Build()
    {
        var d = new Dictionary<string, DatasetInfo>(StringComparer.Ordinal);
        void LongBench(string name, string category, int maxLen, string metric, bool firstLine = false) =>
            d[name] = new DatasetInfo(name, category, LongBenchPrompts.Templates[name], maxLen, metric, firstLine);

        LongBench("narrativeqa", TaskCategories.SingleDocQa, 128, "qa_f1");
        LongBench("qasper", TaskCategories.SingleDocQa, 128, "qa_f1");
        LongBench("multifieldqa_en", TaskCategories.SingleDocQa, 64, "qa_f1");
        LongBench("hotpotqa", TaskCategories.MultiDocQa, 32, "qa_f1");
        LongBench("2wikimqa", TaskCategories.MultiDocQa, 32, "qa_f1");
        LongBench("musique", TaskCategories.MultiDocQa, 32, "qa_f1");
        LongBench("gov_report", TaskCategories.Summarization, 512, "rouge");
        LongBench("qmsum", TaskCategories.Summarization, 512, "rouge");
        LongBench("multi_news", TaskCategories.Summarization, 512, "rouge");
        LongBench("trec", TaskCategories.FewShot, 64, "classification", firstLine: true);
        LongBench("triviaqa", TaskCategories.FewShot, 32, "qa_f1", firstLine: true);
        LongBench("samsum", TaskCategories.FewShot, 128, "rouge", firstLine: true);
        LongBench("passage_count", TaskCategories.Synthetic, 32, "count");
        LongBench("passage_retrieval_en", TaskCategories.Synthetic, 32, "retrieval");
        LongBench("lcc", TaskCategories.Code, 64, "code_sim");
        LongBench("repobench-p", TaskCategories.Code, 64, "code_sim");

        // RULER's generation lengths: short answers, longer for word lists.
        void Synthetic(string name, int maxLen, string metric, string category = TaskCategories.Synthetic) =>
            d[name] = new DatasetInfo(name, category, SyntheticDatasets.Templates[name], maxLen, metric);
        Synthetic(SyntheticDatasets.NeedleSingle, 128, "string_match_all");
        Synthetic(SyntheticDatasets.NeedleMultiKey, 128, "string_match_all");
        Synthetic(SyntheticDatasets.NeedleMultiValue, 128, "string_match_all");
        Synthetic(SyntheticDatasets.NeedleMultiQuery, 128, "string_match_all");
        Synthetic(SyntheticDatasets.VariableTracking, 30, "string_match_all");
        Synthetic(SyntheticDatasets.CommonWords, 120, "string_match_all");
        Synthetic(SyntheticDatasets.FrequentWords, 50, "string_match_all");
        // Document QA is graded like RULER's qa task but belongs with the QA profiles it stands in for.
        Synthetic(SyntheticDatasets.DocumentQa, 32, "string_match_part", TaskCategories.MultiDocQa);
        return d;
    }
}
