using System.Text.RegularExpressions;

namespace CoKv.Metrics;

/// <summary>LongBench's retrieval_score (passage_retrieval_en): the reference is "Paragraph N"; the score is the
/// share of numbers in the prediction equal to N.</summary>
public sealed partial class RetrievalMetric : BestOfReferencesMetric
{
    public override string Name => "retrieval";

    public override double ScoreOne(string prediction, string answer, IReadOnlyList<string>? allClasses = null)
    {
        var m = Paragraph().Match(answer);
        if (!m.Success) throw new FormatException($"Retrieval reference '{answer}' is not of the form \"Paragraph N\".");
        return CountMetric.ShareEqual(prediction, m.Groups[1].Value);
    }

    [GeneratedRegex(@"Paragraph (\d+)")]
    private static partial Regex Paragraph();
}
