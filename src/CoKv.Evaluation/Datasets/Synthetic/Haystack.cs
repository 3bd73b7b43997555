namespace CoKv.Datasets.Synthetic;

/// <summary>
/// Filler sentences a needle hides in. The default is bland, repetitive noise (as RULER's "noise" haystack);
/// <see cref="FromText"/> uses real prose (essays, books) for a harder, more natural haystack. Sentences cycle
/// when more are needed than the text has.
/// </summary>
public sealed class Haystack
{
    readonly string[] _sentences;

    Haystack(string[] sentences)
    {
        if (sentences.Length == 0) throw new ArgumentException("A haystack needs at least one sentence.");
        _sentences = sentences;
    }

    public static Haystack Noise { get; } = new([
        "The meadow is quiet in the morning.",
        "The river keeps moving toward the sea.",
        "Clouds drift slowly over the hills.",
        "A path winds through the old forest.",
        "Here the day begins again.",
    ]);

    public static Haystack FromText(string text)
    {
        var sentences = SplitSentences(text);
        return new Haystack(sentences);
    }

    public static Haystack FromFiles(IEnumerable<string> paths) =>
        FromText(string.Join("\n", paths.Select(File.ReadAllText)));

    public string Sentence(int index) => _sentences[index % _sentences.Length];

    internal static string[] SplitSentences(string text)
    {
        var result = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var end = c is '.' or '!' or '?' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1]));
            if (end || c == '\n' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                Add(text[start..(i + 1)]);
                start = i + 1;
            }
        }
        Add(text[start..]);
        return result.ToArray();

        void Add(string s)
        {
            s = string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            if (s.Length > 0) result.Add(s);
        }
    }
}
