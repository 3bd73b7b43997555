namespace CoKv.Tokenization;

/// <summary>A piece of input: either a special token already recognised, or text still to tokenize.</summary>
internal readonly record struct TextFragment(int? TokenId, string? Text);

/// <summary>
/// Cuts special-token texts out of the input before tokenization, as llama.cpp's tokenizer_st_partition: each special
/// token in turn (longest first) splits every remaining text fragment at its occurrences. Control and unknown tokens
/// are only recognised when parseSpecial; user-defined tokens always are (as Hugging Face's added tokens).
/// </summary>
internal static class SpecialTokenSplitter
{
    public static List<TextFragment> Split(string text, int[] specialsByLength, string[] tokens, TokenAttributes[] attributes, bool parseSpecial)
    {
        var fragments = new List<TextFragment>();
        if (text.Length == 0) return fragments;
        fragments.Add(new TextFragment(null, text));

        foreach (var id in specialsByLength)
        {
            var attr = attributes[id];
            if (!parseSpecial && (attr & (TokenAttributes.Control | TokenAttributes.Unknown)) != 0) continue;
            var special = tokens[id];

            for (var f = 0; f < fragments.Count; f++)
            {
                if (fragments[f].Text is not { } raw) continue;
                var match = raw.IndexOf(special, StringComparison.Ordinal);
                if (match < 0) continue;

                var replacement = new List<TextFragment>();
                var start = 0;
                while (match >= 0)
                {
                    var leftLength = match - start;
                    if ((attr & TokenAttributes.LStrip) != 0)
                        while (leftLength > 0 && IsCSpace(raw[start + leftLength - 1])) leftLength--;
                    if (leftLength > 0) replacement.Add(new TextFragment(null, raw.Substring(start, leftLength)));
                    replacement.Add(new TextFragment(id, null));

                    start = match + special.Length;
                    if ((attr & TokenAttributes.RStrip) != 0)
                        while (start < raw.Length && IsCSpace(raw[start])) start++;
                    match = start < raw.Length ? raw.IndexOf(special, start, StringComparison.Ordinal) : -1;
                }
                if (start < raw.Length) replacement.Add(new TextFragment(null, raw[start..]));

                fragments.RemoveAt(f);
                fragments.InsertRange(f, replacement);
                f += replacement.Count - 1;
            }
        }
        return fragments;
    }

    // C's isspace in the "C" locale, which llama.cpp uses for lstrip/rstrip.
    static bool IsCSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}
