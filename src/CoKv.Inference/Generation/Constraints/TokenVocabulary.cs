using System.Runtime.CompilerServices;
using CoKv.Tokenization;

namespace CoKv.Generation.Constraints;

/// <summary>
/// A tokenizer's vocabulary arranged for constrained decoding, built once per tokenizer: a byte trie of the tokens a
/// grammar may spell (each token's printed bytes), and for JSON strings the plain-text tokens by length, the tokens
/// that stay inside a string and those that close one, so that inside a string (where long outputs spend their
/// steps) the mask needs no walk.
/// Control tokens (BOS, &lt;|im_start|&gt;, [TOOL_CALLS]) are kept apart: allowed only where a literal spells them.
/// </summary>
public sealed class TokenVocabulary
{
    static readonly ConditionalWeakTable<ITokenizer, TokenVocabulary> Cache = new();

    public sealed class TrieNode
    {
        public readonly Dictionary<byte, TrieNode> Children = new();
        public readonly List<int> Tokens = new();
    }

    public int Size { get; }
    public TrieNode All { get; } = new();
    /// <summary>Plain string tokens (printable ASCII other than '"' and '\', or whole UTF-8 characters) by byte length.</summary>
    public int[] PlainIds { get; }
    public int[] PlainLengths { get; }
    public IReadOnlyList<(int Id, byte[] Bytes)> ControlTokens { get; }
    public IReadOnlySet<int> StopIds { get; }
    readonly byte[][] _bytes;
    readonly bool[] _plain;

    /// <summary>Whether the token is plain string text (see <see cref="PlainIds"/>).</summary>
    public bool IsPlain(int id) => (uint)id < (uint)_plain.Length && _plain[id];

    TokenVocabulary(ITokenizer tokenizer)
    {
        Size = tokenizer.VocabSize;
        StopIds = tokenizer.StopIds;
        _bytes = new byte[Size][];
        var plain = new List<(int Id, int Length)>();
        var control = new List<(int, byte[])>();
        for (int id = 0; id < Size; id++)
        {
            var bytes = tokenizer.TokenBytes(id, renderSpecial: false);
            _bytes[id] = bytes;
            if (bytes.Length == 0)
            {
                var text = tokenizer.TokenBytes(id, renderSpecial: true);
                if (text.Length > 0 && !StopIds.Contains(id) && id != tokenizer.BosId) control.Add((id, text));
                continue;
            }
            Add(All, bytes, id);
            if (IsPlainText(bytes)) plain.Add((id, bytes.Length));
        }
        plain.Sort((a, b) => a.Length.CompareTo(b.Length));
        var inside = new List<(int, int)>();
        var closing = new List<(int, int, byte[])>();
        foreach (var id in Enumerable.Range(0, Size).Where(i => _bytes[i].Length > 0 && !IsPlainText(_bytes[i])))
            ScanInString(id, _bytes[id], inside, closing);
        InStringTokens = inside;
        ClosingTokens = closing;
        PlainIds = plain.Select(p => p.Id).ToArray();
        _plain = new bool[Size];
        foreach (var id in PlainIds) _plain[id] = true;
        PlainLengths = plain.Select(p => p.Length).ToArray();
        ControlTokens = control;
    }

    /// <summary>Tokens that are not plain text but stay inside a string (escapes, parts of a multi-byte character),
    /// with the content bytes they need (a margin added where they leave an escape or a character open).</summary>
    public IReadOnlyList<(int Id, int Needed)> InStringTokens { get; }
    /// <summary>Tokens that end a string: the content bytes before the closing quote and the bytes after it.</summary>
    public IReadOnlyList<(int Id, int Before, byte[] After)> ClosingTokens { get; }

    static readonly GrammarState OpenString = GrammarState.Start(new StringNode(int.MaxValue / 2)).Step((byte)'"')!;

    static void ScanInString(int id, byte[] bytes, List<(int, int)> inside, List<(int, int, byte[])> closing)
    {
        var state = OpenString;
        for (int k = 0; k < bytes.Length; k++)
        {
            if (state.Step(bytes[k]) is not { } next) return;
            if (next.CanEnd)
            {
                closing.Add((id, k, bytes[(k + 1)..]));
                return;
            }
            state = next;
        }
        inside.Add((id, bytes.Length + (state.PlainStringRoom >= 0 ? 0 : 5)));
    }

    public static TokenVocabulary For(ITokenizer tokenizer) => Cache.GetValue(tokenizer, t => new TokenVocabulary(t));

    /// <summary>The bytes a token prints (empty for control tokens: see <see cref="ControlTokens"/>).</summary>
    public ReadOnlySpan<byte> Bytes(int id) => _bytes[id];

    static void Add(TrieNode root, byte[] bytes, int id)
    {
        var node = root;
        foreach (var b in bytes)
        {
            if (!node.Children.TryGetValue(b, out var child)) node.Children[b] = child = new TrieNode();
            node = child;
        }
        node.Tokens.Add(id);
    }

    static bool IsPlainText(byte[] bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (b < 0x80)
            {
                if (b < 0x20 || b == (byte)'"' || b == (byte)'\\') return false;
                continue;
            }
            int pending = b switch { >= 0xC2 and <= 0xDF => 1, >= 0xE0 and <= 0xEF => 2, >= 0xF0 and <= 0xF4 => 3, _ => -1 };
            if (pending < 0 || i + pending >= bytes.Length) return false;
            for (int k = 1; k <= pending; k++)
                if (bytes[i + k] is < 0x80 or > 0xBF) return false;
            i += pending;
        }
        return true;
    }
}
