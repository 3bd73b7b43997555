using System.Globalization;
using System.Text;

namespace CoKv.Tokenization;

/// <summary>
/// Splits text into the words byte-level BPE merges within, by hand-written matchers equivalent to the pre-tokenizer
/// regexes (see <see cref="BpePreTokenizer"/>). Like llama.cpp's unicode_regex_split, a list of patterns applies in
/// turn, each splitting the pieces the previous one produced; text no alternative matches becomes a piece of its own.
/// </summary>
internal static class PreTokenizerSplitter
{
    public static List<string> Split(string text, BpePreTokenizer kind)
    {
        var cps = ToCodePoints(text);
        List<(int Start, int Length)> pieces = [(0, cps.Length)];
        switch (kind)
        {
            case BpePreTokenizer.Gpt2:
                pieces = Apply(pieces, cps, Gpt2);
                break;
            case BpePreTokenizer.Llama3:
                pieces = Apply(pieces, cps, (c, s, e, add) => Llama3Like(c, s, e, add, maxDigits: 3));
                break;
            case BpePreTokenizer.Qwen2:
                pieces = Apply(pieces, cps, (c, s, e, add) => Llama3Like(c, s, e, add, maxDigits: 1));
                break;
            case BpePreTokenizer.SmolLm:
                pieces = Apply(pieces, cps, (c, s, e, add) => Runs(c, s, e, add, IsNumber, maxRun: 1, exactRun: false));
                pieces = Apply(pieces, cps, Gpt2);
                break;
            default:
                pieces = Apply(pieces, cps, (c, s, e, add) => Runs(c, s, e, add, IsDefaultPunctuation, int.MaxValue, false));
                pieces = Apply(pieces, cps, Gpt2);
                pieces = Apply(pieces, cps, (c, s, e, add) => Runs(c, s, e, add, IsNumber, int.MaxValue, false));
                pieces = Apply(pieces, cps, (c, s, e, add) => Runs(c, s, e, add, cp => cp is >= '0' and <= '9', 3, exactRun: true));
                break;
        }

        var words = new List<string>(pieces.Count);
        var sb = new StringBuilder();
        foreach (var (start, length) in pieces)
        {
            sb.Clear();
            for (var i = start; i < start + length; i++) sb.Append(char.ConvertFromUtf32(cps[i]));
            words.Add(sb.ToString());
        }
        return words;
    }

    delegate void Matcher(int[] cps, int start, int end, Action<int> addUpTo);

    static List<(int, int)> Apply(List<(int Start, int Length)> pieces, int[] cps, Matcher matcher)
    {
        var output = new List<(int, int)>(pieces.Count * 2);
        foreach (var (start, length) in pieces)
        {
            var prevEnd = start;
            matcher(cps, start, start + length, end =>
            {
                if (end > prevEnd) output.Add((prevEnd, end - prevEnd));
                prevEnd = end;
            });
            if (prevEnd < start + length) output.Add((prevEnd, start + length - prevEnd));
        }
        return output;
    }

    // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
    static void Gpt2(int[] cps, int start, int end, Action<int> addUpTo)
    {
        int Cp(int i) => i >= start && i < end ? cps[i] : -1;
        CharClass Cls(int i) => i >= start && i < end ? Classify(cps[i]) : CharClass.None;

        for (var pos = start; pos < end;)
        {
            var cp = cps[pos];
            if (cp == '\'' && pos + 1 < end)
            {
                var next = Cp(pos + 1);
                if (next is 's' or 't' or 'm' or 'd') { addUpTo(pos += 2); continue; }
                if (pos + 2 < end)
                {
                    var next2 = Cp(pos + 2);
                    if ((next == 'r' && next2 == 'e') || (next == 'v' && next2 == 'e') || (next == 'l' && next2 == 'l')) { addUpTo(pos += 3); continue; }
                }
            }

            // An optional leading space belongs to the letter / number / symbol run after it.
            var lead = cp == ' ' ? 1 : 0;
            var cls = Cls(pos + lead);
            if (cls is CharClass.Letter or CharClass.Number or CharClass.Other)
            {
                pos += lead;
                while (Cls(pos) == cls) pos++;
                addUpTo(pos);
                continue;
            }

            var spaces = 0;
            while (Cls(pos + spaces) == CharClass.Space) spaces++;
            if (spaces > 1 && Cp(pos + spaces) != -1)
            {
                // \s+(?!\S): the last space stays to lead the next word.
                addUpTo(pos += spaces - 1);
                continue;
            }
            if (spaces > 0) { addUpTo(pos += spaces); continue; }

            addUpTo(++pos); // an unassigned code point: a piece of its own
        }
    }

    // (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,max}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
    static void Llama3Like(int[] cps, int start, int end, Action<int> addUpTo, int maxDigits)
    {
        int Cp(int i) => i >= start && i < end ? cps[i] : -1;
        CharClass Cls(int i) => i >= start && i < end ? Classify(cps[i]) : CharClass.None;

        for (var pos = start; pos < end;)
        {
            var cp = cps[pos];
            var cls = Cls(pos);

            if (cp == '\'' && pos + 1 < end)
            {
                var next = LowerAscii(Cp(pos + 1));
                if (next is 's' or 't' or 'm' or 'd') { addUpTo(pos += 2); continue; }
                if (pos + 2 < end)
                {
                    var next2 = LowerAscii(Cp(pos + 2));
                    if ((next == 'r' && next2 == 'e') || (next == 'v' && next2 == 'e') || (next == 'l' && next2 == 'l')) { addUpTo(pos += 3); continue; }
                }
            }

            if (cp is not ('\r' or '\n') && cls != CharClass.Number && (cls == CharClass.Letter || Cls(pos + 1) == CharClass.Letter))
            {
                pos++;
                while (Cls(pos) == CharClass.Letter) pos++;
                addUpTo(pos);
                continue;
            }

            if (cls == CharClass.Number)
            {
                var runStart = pos;
                while (Cls(pos) == CharClass.Number)
                {
                    pos++;
                    if (pos - runStart >= maxDigits)
                    {
                        addUpTo(pos);
                        runStart = pos;
                    }
                }
                addUpTo(pos);
                continue;
            }

            var lead = cp == ' ' ? 1 : 0;
            if (Cls(pos + lead) == CharClass.Other)
            {
                pos += lead;
                while (Cls(pos) == CharClass.Other) pos++;
                while (Cp(pos) is '\r' or '\n') pos++;
                addUpTo(pos);
                continue;
            }

            var spaces = 0;
            var afterLastNewline = 0;
            while (Cls(pos + spaces) == CharClass.Space)
            {
                if (Cp(pos + spaces) is '\r' or '\n') afterLastNewline = pos + spaces + 1;
                spaces++;
            }
            if (afterLastNewline > 0) { addUpTo(pos = afterLastNewline); continue; }
            if (spaces > 1 && Cp(pos + spaces) != -1) { addUpTo(pos += spaces - 1); continue; }
            if (spaces > 0) { addUpTo(pos += spaces); continue; }

            addUpTo(++pos);
        }
    }

    /// <summary>Runs of a character class as pieces; with exactRun only runs of exactly maxRun (a regex like [0-9]{3}).</summary>
    static void Runs(int[] cps, int start, int end, Action<int> addUpTo, Func<int, bool> inClass, int maxRun, bool exactRun)
    {
        var pos = start;
        while (pos < end)
        {
            if (!inClass(cps[pos])) { pos++; continue; }
            var runEnd = pos;
            while (runEnd < end && inClass(cps[runEnd])) runEnd++;
            while (runEnd - pos >= (exactRun ? maxRun : 1))
            {
                var take = Math.Min(maxRun, runEnd - pos);
                addUpTo(pos); // what precedes the match stays a piece of its own
                addUpTo(pos += take);
            }
            pos = runEnd;
        }
    }

    enum CharClass { None, Letter, Number, Space, Other }

    static CharClass Classify(int cp)
    {
        if (IsWhitespace(cp)) return CharClass.Space;
        var cat = CharUnicodeInfo.GetUnicodeCategory(cp);
        return cat switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CharClass.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CharClass.Number,
            // llama.cpp gives unassigned code points no flags: they match no class at all.
            UnicodeCategory.OtherNotAssigned => CharClass.None,
            _ => CharClass.Other,
        };
    }

    static bool IsNumber(int cp) => Classify(cp) == CharClass.Number;

    // [\p{P}\$\+<=>\^~\|]
    static bool IsDefaultPunctuation(int cp) =>
        cp is '$' or '+' or '<' or '=' or '>' or '^' or '~' or '|'
        || CharUnicodeInfo.GetUnicodeCategory(cp) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    // The Unicode White_Space property, which is llama.cpp's whitespace set.
    static bool IsWhitespace(int cp) =>
        cp is >= 0x09 and <= 0x0D or 0x20 or 0x85 or 0xA0 or 0x1680 or >= 0x2000 and <= 0x200A or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000;

    static int LowerAscii(int cp) => cp is >= 'A' and <= 'Z' ? cp + 32 : cp;

    static int[] ToCodePoints(string text)
    {
        var cps = new List<int>(text.Length);
        foreach (var rune in text.EnumerateRunes()) cps.Add(rune.Value);
        return cps.ToArray();
    }
}
