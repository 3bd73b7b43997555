using System.Text.RegularExpressions;

namespace CoKv.Metrics;

/// <summary>LongBench's count_score (passage_count): the share of the numbers in the prediction that equal the
/// reference, so hedging with several numbers is penalised.</summary>
public sealed partial class CountMetric : BestOfReferencesMetric
{
    public override string Name => "count";

    public override double ScoreOne(string prediction, string answer, IReadOnlyList<string>? allClasses = null) =>
        ShareEqual(prediction, answer);

    internal static double ShareEqual(string prediction, string target)
    {
        var numbers = Numbers().Matches(prediction);
        if (numbers.Count == 0) return 0;
        return (double)numbers.Count(m => m.Value == target) / numbers.Count;
    }

    [GeneratedRegex(@"\d+")]
    internal static partial Regex Numbers();
}
