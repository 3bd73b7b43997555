namespace CoKv.Metrics;

/// <summary>
/// LongBench's code_sim: take the first line of the prediction that has no "`", "#" or "//" (models like to
/// open with a fence or a comment), and compare it with the reference by fuzz.ratio.
/// </summary>
public sealed class CodeSimilarityMetric : BestOfReferencesMetric
{
    public override string Name => "code_sim";

    public override double ScoreOne(string prediction, string answer, IReadOnlyList<string>? allClasses = null) =>
        FuzzRatio(FirstCodeLine(prediction), answer) / 100.0;

    public static string FirstCodeLine(string prediction)
    {
        foreach (var line in prediction.TrimStart('\n').Split('\n'))
            if (!line.Contains('`') && !line.Contains('#') && !line.Contains("//", StringComparison.Ordinal))
                return line;
        return "";
    }

    /// <summary>
    /// fuzz.ratio as with python-Levenshtein / rapidfuzz: round(100 · 2·LCS / (|a|+|b|)) over characters (the
    /// indel similarity), rounded half to even like Python's round; 0 when either string is empty.
    /// </summary>
    public static int FuzzRatio(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0) return 0;
        var lcs = Lcs.Length(a.ToCharArray(), b.ToCharArray());
        return (int)Math.Round(100.0 * 2 * lcs / (a.Length + b.Length), MidpointRounding.ToEven);
    }
}
