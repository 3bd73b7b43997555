using CoKv.Datasets;
using CoKv.Datasets.Synthetic;
using CoKv.Tokenization;

namespace CoKv.Profiling;

/// <summary>Task samples from a <see cref="ProfileDataSource"/>: a JSONL file or a named generator.</summary>
public static class ProfileData
{
    /// <summary>Seeds the generators use for profiling: eval's default seed is another, so profiles are never
    /// estimated on the samples they are evaluated on.</summary>
    public const long ProfilingSeed = 7919, EvaluationSeed = 104729;

    public static IReadOnlyList<string> SyntheticKinds => DefaultTaskSamples.Names.Concat(SyntheticGenerators.Names).ToArray();

    /// <summary>
    /// The samples profiling uses: a file's validation split (15%, seeded), or all samples of a generator (they are
    /// drawn fresh with <see cref="ProfilingSeed"/>, so none is ever a test sample).
    /// </summary>
    public static IReadOnlyList<TaskSample> ForProfiling(ProfileDataSource source, ITokenizer tokenizer, long seed = ProfilingSeed)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.DataFile is { } file) return DatasetSplit.Create(LoadFile(file)).Validation;
        return Synthetic(source.SyntheticKind ?? throw new ArgumentException("The data source names neither a file nor a synthetic kind."),
            tokenizer, source.SyntheticLength, source.SyntheticCount, seed);
    }

    /// <summary>The samples an evaluation scores: a file's test split, or a generator's samples with <see cref="EvaluationSeed"/>.</summary>
    public static IReadOnlyList<TaskSample> ForEvaluation(ProfileDataSource source, ITokenizer tokenizer, long seed = EvaluationSeed)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.DataFile is { } file) return DatasetSplit.Create(LoadFile(file)).Test;
        return Synthetic(source.SyntheticKind ?? throw new ArgumentException("The data source names neither a file nor a synthetic kind."),
            tokenizer, source.SyntheticLength, source.SyntheticCount, seed);
    }

    public static IReadOnlyList<TaskSample> LoadFile(string path)
    {
        DefaultTaskSamples.EnsureRegistered();
        if (!File.Exists(path)) throw new FileNotFoundException($"No data file at {path}.", path);
        return TaskSampleJsonl.Load(path);
    }

    public static IReadOnlyList<TaskSample> Synthetic(string kind, ITokenizer tokenizer, int length, int count, long seed)
    {
        if (DefaultTaskSamples.IsDefaultKind(kind)) return DefaultTaskSamples.Generate(kind, length, count, seed);
        if (!SyntheticGenerators.Names.Contains(kind))
            throw new ArgumentException($"Unknown synthetic kind '{kind}'. Known: {string.Join(", ", SyntheticKinds)}.", nameof(kind));
        return SyntheticGenerators.Create(kind).Generate(tokenizer, length, count, seed);
    }
}
