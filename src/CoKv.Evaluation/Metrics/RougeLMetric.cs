namespace CoKv.Metrics;

/// <summary>
/// ROUGE-L F1: LCS of lowercased whitespace tokens, P = LCS/|prediction|, R = LCS/|reference|, F = 2PR/(P+R).
/// LongBench calls the py-rouge package, whose summary-level variant splits on "." and counts distinct words; this is
/// the plain (sentence-free) ROUGE-L, so figures can differ slightly from LongBench's on multi-sentence outputs.
/// </summary>
public sealed class RougeLMetric : BestOfReferencesMetric
{
    public override string Name => "rouge";

    public override double ScoreOne(string prediction, string answer, IReadOnlyList<string>? allClasses = null)
    {
        var p = AnswerNormalizer.Tokens(prediction.ToLowerInvariant());
        var r = AnswerNormalizer.Tokens(answer.ToLowerInvariant());
        var lcs = Lcs.Length(p, r, StringComparer.Ordinal);
        if (lcs == 0) return 0;
        var precision = (double)lcs / p.Length;
        var recall = (double)lcs / r.Length;
        return 2 * precision * recall / (precision + recall);
    }
}
