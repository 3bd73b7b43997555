using System.Text.RegularExpressions;

namespace CoKv.Metrics;

/// <summary>LongBench's (and SQuAD's) answer normalisation: lowercase, drop ASCII punctuation, drop the articles
/// a/an/the, collapse whitespace.</summary>
public static partial class AnswerNormalizer
{
    // Python's string.punctuation: ASCII only, so "’" or "–" survive, as in LongBench.
    const string AsciiPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    public static string Normalize(string text)
    {
        var lower = text.ToLowerInvariant();
        var noPunct = string.Concat(lower.Where(c => !AsciiPunctuation.Contains(c)));
        var noArticles = Articles().Replace(noPunct, " ");
        return string.Join(' ', Tokens(noArticles));
    }

    /// <summary>Whitespace split, as Python's str.split().</summary>
    public static string[] Tokens(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    [GeneratedRegex(@"\b(a|an|the)\b")]
    private static partial Regex Articles();
}
