namespace CoKv.Metrics;

/// <summary>
/// LongBench's classification_score: the classes whose name occurs in the prediction are "matched"; matched classes
/// that are a proper substring of the gold label are dropped (so "location" does not count against
/// "other location"); the score is 1/|matched| when the gold label is matched, else 0. LongBench's fallback to the
/// most similar class never runs (its guard compares a list with 0), so it is not reproduced.
/// </summary>
public sealed class ClassificationMetric : BestOfReferencesMetric
{
    public override string Name => "classification";

    public override double ScoreOne(string prediction, string answer, IReadOnlyList<string>? allClasses = null)
    {
        if (allClasses is null) throw new ArgumentException("Classification needs the sample's class list (all_classes).", nameof(allClasses));
        var matched = allClasses.Where(c => prediction.Contains(c, StringComparison.Ordinal))
            .Where(c => !(answer.Contains(c, StringComparison.Ordinal) && c != answer))
            .ToList();
        return matched.Contains(answer) ? 1.0 / matched.Count : 0.0;
    }
}
