using System.Collections.Concurrent;
using System.Text;
using CoKv.Tokenization;

namespace CoKv.Evaluation.Tests.Fakes;

/// <summary>One token per whitespace-separated word: token counts are easy to reason about in length tests.</summary>
public sealed class WhitespaceTokenizer : ITokenizer
{
    readonly ConcurrentDictionary<string, int> _ids = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<int, string> _words = new();

    public string Kind => "whitespace";
    public int VocabSize => _ids.Count;
    public int? BosId => null;
    public int? EosId => null;
    public IReadOnlySet<int> StopIds { get; } = new HashSet<int>();

    public IReadOnlyList<int> Encode(string text, bool addBos = true, bool parseSpecial = true) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(w => _ids.GetOrAdd(w, key => { lock (_ids) { var id = _words.Count; _words[id] = key; return id; } }))
            .ToArray();

    public byte[] TokenBytes(int id) => Encoding.UTF8.GetBytes(_words[id]);
    public string Decode(IEnumerable<int> ids) => string.Join(' ', ids.Select(i => _words[i]));
    public int? FindToken(string text) => _ids.TryGetValue(text, out var id) ? id : null;
}
