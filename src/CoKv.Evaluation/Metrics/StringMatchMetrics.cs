namespace CoKv.Metrics;

/// <summary>RULER's string_match_all: the fraction of references found (case-insensitively) in the prediction.</summary>
public sealed class StringMatchAllMetric : IMetric
{
    public string Name => "string_match_all";

    public double Score(string prediction, IReadOnlyList<string> answers, IReadOnlyList<string>? allClasses = null)
    {
        if (answers.Count == 0) return 0;
        var p = prediction.ToLowerInvariant();
        return (double)answers.Count(a => p.Contains(a.ToLowerInvariant(), StringComparison.Ordinal)) / answers.Count;
    }
}

/// <summary>RULER's string_match_part: 1 when any reference is found (case-insensitively) in the prediction.</summary>
public sealed class StringMatchPartMetric : IMetric
{
    public string Name => "string_match_part";

    public double Score(string prediction, IReadOnlyList<string> answers, IReadOnlyList<string>? allClasses = null)
    {
        var p = prediction.ToLowerInvariant();
        return answers.Any(a => p.Contains(a.ToLowerInvariant(), StringComparison.Ordinal)) ? 1 : 0;
    }
}
