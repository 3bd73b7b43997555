using CoKv.Common;

namespace CoKv.Datasets;

/// <summary>A validation/test split: profiles are estimated on the validation part, reported on the test part.</summary>
public sealed record DatasetSplit(IReadOnlyList<TaskSample> Validation, IReadOnlyList<TaskSample> Test)
{
    public const double DefaultValidationFraction = 0.15;

    /// <summary>
    /// Puts round(fraction·n) samples, chosen by a seeded shuffle, in validation (at least one when n ≥ 2 and the
    /// fraction is positive, so a small file still yields a usable validation set). Each part keeps the input order.
    /// </summary>
    public static DatasetSplit Create(IReadOnlyList<TaskSample> samples, double validationFraction = DefaultValidationFraction, long seed = 0)
    {
        if (validationFraction is < 0 or > 1 || double.IsNaN(validationFraction))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), "Must be in [0, 1].");
        var n = samples.Count;
        var k = (int)Math.Round(validationFraction * n, MidpointRounding.AwayFromZero);
        if (k == 0 && validationFraction > 0 && n >= 2) k = 1;
        var chosen = new HashSet<int>(new SeededRandom(seed).Subset(n, k));
        var validation = new List<TaskSample>(k);
        var test = new List<TaskSample>(n - k);
        for (var i = 0; i < n; i++) (chosen.Contains(i) ? validation : test).Add(samples[i]);
        return new DatasetSplit(validation, test);
    }
}
