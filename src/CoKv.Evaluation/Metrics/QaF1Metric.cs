namespace CoKv.Metrics;

/// <summary>LongBench's qa_f1: bag-of-tokens F1 between the normalised prediction and reference.</summary>
public sealed class QaF1Metric : BestOfReferencesMetric
{
    public override string Name => "qa_f1";

    public override double ScoreOne(string prediction, string answer, IReadOnlyList<string>? allClasses = null) =>
        TokenF1(AnswerNormalizer.Tokens(AnswerNormalizer.Normalize(prediction)),
            AnswerNormalizer.Tokens(AnswerNormalizer.Normalize(answer)));

    /// <summary>F1 over the multiset intersection (Python's Counter &amp; Counter).</summary>
    public static double TokenF1(IReadOnlyList<string> prediction, IReadOnlyList<string> reference)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in reference) counts[t] = counts.GetValueOrDefault(t) + 1;
        var same = 0;
        foreach (var t in prediction)
            if (counts.TryGetValue(t, out var c) && c > 0) { counts[t] = c - 1; same++; }
        if (same == 0) return 0;
        var precision = (double)same / prediction.Count;
        var recall = (double)same / reference.Count;
        return 2 * precision * recall / (precision + recall);
    }
}
