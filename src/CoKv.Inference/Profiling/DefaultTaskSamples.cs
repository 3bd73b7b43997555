using CoKv.Common;
using CoKv.Datasets;
using CoKv.Metrics;
using CoKv.Training;

namespace CoKv.Profiling;

/// <summary>
/// Evaluation samples of the default model's own task kinds ("default:single-needle", ...), made by the generator it
/// was trained on. The user message is the document then the question; the reference is the gold answer (what the
/// log-likelihood utility teacher-forces) and the facts it must contain ride in <see cref="TaskSample.AllClasses"/>,
/// which the "facts_match_all" metric reads: RULER's string_match_all over the facts, not the whole sentence.
/// </summary>
public static class DefaultTaskSamples
{
    public const string Prefix = "default:";
    public const string FactsMetric = "facts_match_all";

    /// <summary>Kind (after "default:") → the training task, the dataset name samples carry, and a generation cap a
    /// little above the longest gold answer of the kind.</summary>
    static readonly (string Kind, TrainingTask Task, string Dataset, int MaxNewTokens)[] Kinds =
    [
        ("single-needle", TrainingTask.SingleNeedle, "default_single_needle", 24),
        ("multi-needle", TrainingTask.MultiNeedle, "default_multi_needle", 40),
        ("key-value", TrainingTask.KeyValue, "default_key_value", 16),
        ("variable-tracking", TrainingTask.VariableTracking, "default_variable_tracking", 40),
        ("frequent-word", TrainingTask.FrequentWord, "default_frequent_word", 16),
    ];

    public static IReadOnlyList<string> Names { get; } = Kinds.Select(k => Prefix + k.Kind).ToArray();

    static int _registered;

    /// <summary>Adds the kinds' datasets and the facts metric to the catalogs (once; loading a JSONL of these samples
    /// needs them too).</summary>
    public static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        MetricRegistry.Register(new FactsMatchAllMetric());
        foreach (var (kind, _, dataset, maxNew) in Kinds)
            DatasetCatalog.Register(new DatasetInfo(dataset, kind, "{context} {input}", maxNew, FactsMetric));
    }

    public static bool IsDefaultKind(string kind) => kind.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary><paramref name="count"/> samples of <paramref name="length"/> tokens each (the whole exchange, answer
    /// included, as in training); sample i depends on (seed, i) only. The task type of each is the kind's name.</summary>
    public static IReadOnlyList<TaskSample> Generate(string kind, int length, int count, long seed)
    {
        EnsureRegistered();
        var name = IsDefaultKind(kind) ? kind[Prefix.Length..] : kind;
        var entry = Kinds.FirstOrDefault(k => k.Kind == name);
        if (entry.Dataset is null) throw new ArgumentException($"Unknown default task kind '{kind}'. Known: {string.Join(", ", Names)}.", nameof(kind));
        var corpus = new TaskCorpus();
        var samples = new List<TaskSample>(count);
        for (int i = 0; i < count; i++)
        {
            var random = new Random(unchecked((int)SeededRandom.ForItem(seed, i).NextUInt64()));
            var text = corpus.GenerateText(entry.Task, length, random);
            samples.Add(new TaskSample($"{entry.Dataset}-{seed}-{i}", entry.Dataset, entry.Kind, text.Document, text.Question,
                [text.Answer], text.Facts, length));
        }
        return samples;
    }
}

/// <summary>RULER's string_match_all over the facts a sample lists (in all_classes): the share of them the answer contains.</summary>
public sealed class FactsMatchAllMetric : IMetric
{
    static readonly StringMatchAllMetric Inner = new();
    public string Name => DefaultTaskSamples.FactsMetric;

    public double Score(string prediction, IReadOnlyList<string> answers, IReadOnlyList<string>? allClasses = null) =>
        Inner.Score(prediction, allClasses is { Count: > 0 } ? allClasses : answers);
}
