using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace CoKv.Samples.LongDocRag;

/// <summary>
/// BM25 over sentence-aligned chunks, exposed to prompt templates as <c>retriever.Search</c>. Lexical on purpose:
/// the default model's world is a closed vocabulary, so exact word overlap is what finds a fact's chunk.
/// </summary>
public sealed class LexicalRetriever
{
    const double K1 = 1.2, B = 0.75;
    readonly string[][] _chunkWords;
    readonly Dictionary<string, int> _documentFrequency = new(StringComparer.Ordinal);
    readonly double _meanLength;

    public IReadOnlyList<string> Chunks { get; }
    public int TopK { get; init; } = 3;

    public LexicalRetriever(string document, int wordsPerChunk = 120)
    {
        Chunks = Chunk(document, wordsPerChunk);
        _chunkWords = Chunks.Select(Words).ToArray();
        foreach (var words in _chunkWords)
            foreach (var w in words.Distinct())
                _documentFrequency[w] = _documentFrequency.GetValueOrDefault(w) + 1;
        _meanLength = _chunkWords.Average(w => w.Length);
    }

    [KernelFunction, Description("Returns the chunks of the document that best match the query, joined in document order.")]
    public string Search([Description("the question or keywords")] string query)
    {
        var best = Rank(query).Take(TopK).Select(r => r.Index).Order();
        return string.Join(" ", best.Select(i => Chunks[i]));
    }

    public IEnumerable<(int Index, double Score)> Rank(string query)
    {
        var terms = Words(query).Distinct().ToArray();
        return _chunkWords.Select((words, i) => (i, Score(terms, words))).OrderByDescending(r => r.Item2);
    }

    double Score(string[] terms, string[] words)
    {
        double score = 0;
        foreach (var t in terms)
        {
            int tf = words.Count(w => w == t);
            if (tf == 0) continue;
            int df = _documentFrequency[t];
            double idf = Math.Log(1 + (Chunks.Count - df + 0.5) / (df + 0.5));
            score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * words.Length / _meanLength));
        }
        return score;
    }

    static string[] Words(string text) => text.Split([' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Whole sentences up to about <paramref name="wordsPerChunk"/> words, so a fact is never cut in two.</summary>
    static List<string> Chunk(string document, int wordsPerChunk)
    {
        var chunks = new List<string>();
        var current = new List<string>();
        foreach (var word in Words(document))
        {
            current.Add(word);
            if (word == "." && current.Count >= wordsPerChunk)
            {
                chunks.Add(string.Join(" ", current));
                current.Clear();
            }
        }
        if (current.Count > 0) chunks.Add(string.Join(" ", current));
        return chunks;
    }
}
