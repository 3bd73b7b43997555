namespace CoKv.Metrics;

/// <summary>
/// Scores one prediction against a sample's references, in [0, 1]. Given all references at once because metrics
/// combine them differently: LongBench takes the best single reference, RULER's string-match-all needs every one.
/// </summary>
public interface IMetric
{
    string Name { get; }

    /// <param name="allClasses">The label set, for classification; ignored by the others.</param>
    double Score(string prediction, IReadOnlyList<string> answers, IReadOnlyList<string>? allClasses = null);
}

/// <summary>A LongBench metric: defined on one reference, the sample's score is the best over its references.</summary>
public abstract class BestOfReferencesMetric : IMetric
{
    public abstract string Name { get; }

    public double Score(string prediction, IReadOnlyList<string> answers, IReadOnlyList<string>? allClasses = null)
    {
        var best = 0.0;
        foreach (var answer in answers) best = Math.Max(best, ScoreOne(prediction, answer, allClasses));
        return best;
    }

    public abstract double ScoreOne(string prediction, string answer, IReadOnlyList<string>? allClasses = null);
}
