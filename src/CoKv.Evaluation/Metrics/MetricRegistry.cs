namespace CoKv.Metrics;

/// <summary>Metrics by name (the names <see cref="Datasets.DatasetCatalog"/> refers to); callers may add their own.</summary>
public static class MetricRegistry
{
    static readonly Dictionary<string, IMetric> Metrics = new IMetric[]
    {
        new QaF1Metric(), new RougeLMetric(), new ClassificationMetric(), new CodeSimilarityMetric(),
        new CountMetric(), new RetrievalMetric(), new StringMatchAllMetric(), new StringMatchPartMetric(),
    }.ToDictionary(m => m.Name, StringComparer.Ordinal);

    public static IReadOnlyCollection<string> Names
    {
        get { lock (Metrics) return Metrics.Keys.Order(StringComparer.Ordinal).ToArray(); }
    }

    public static IMetric Get(string name) =>
        TryGet(name, out var m) ? m : throw new KeyNotFoundException($"Unknown metric '{name}'. Known: {string.Join(", ", Names)}.");

    public static bool TryGet(string name, out IMetric metric)
    {
        lock (Metrics) return Metrics.TryGetValue(name, out metric!);
    }

    public static void Register(IMetric metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        lock (Metrics) Metrics[metric.Name] = metric;
    }
}
