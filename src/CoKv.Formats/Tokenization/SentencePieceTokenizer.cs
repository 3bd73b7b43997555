using System.Text;

namespace CoKv.Tokenization;

/// <summary>
/// SentencePiece-vocabulary tokenizer with llama.cpp's algorithm (LLAMA_VOCAB_TYPE_SPM): spaces become "▁", a space
/// is prefixed to the first fragment and to each fragment after a special token (add_space_prefix), then adjacent
/// symbols are merged greedily, highest-scoring vocab piece first (leftmost on ties); characters that never formed a
/// piece fall back to &lt;0xXX&gt; byte tokens (or UNK when the vocab has none).
/// </summary>
public sealed class SentencePieceTokenizer : VocabTokenizer
{
    const char SpaceMarker = '\u2581'; // "▁"

    readonly float[] _scores;
    readonly int?[] _byteTokens = new int?[256];

    public SentencePieceTokenizer(
        IReadOnlyList<string> tokens,
        IReadOnlyList<float>? scores,
        IReadOnlyList<TokenType>? types,
        TokenizerSpecials specials,
        bool addSpacePrefix = true)
        : base(tokens, types, specials)
    {
        if (scores != null && scores.Count < tokens.Count)
            throw new ArgumentException($"{scores.Count} scores for {tokens.Count} tokens.", nameof(scores));
        _scores = scores?.Take(tokens.Count).ToArray() ?? new float[tokens.Count];
        AddSpacePrefix = addSpacePrefix;

        for (var b = 0; b < 256; b++)
        {
            // llama.cpp's byte_to_token: "<0xXX>" first, then the byte itself as a one-character piece.
            if (TokenToId.TryGetValue($"<0x{b:X2}>", out var id)) _byteTokens[b] = id;
            else if (b < 0x80 && TokenToId.TryGetValue(((char)b).ToString(), out id)) _byteTokens[b] = id;
        }
    }

    public override string Kind => "spm";
    public override bool AddSpacePrefix { get; }
    public override bool CleanSpaces => false;

    public float Score(int id) => _scores[CheckId(id)];

    private protected override void TokenizeFragment(string fragment, bool afterSpecialOrStart, List<int> output)
    {
        var text = (AddSpacePrefix && afterSpecialOrStart ? " " + fragment : fragment).Replace(' ', SpaceMarker);
        if (text.Length == 0) return;

        // One symbol per Unicode scalar (a surrogate pair stays together, like one UTF-8 character in llama.cpp).
        var symbols = new List<BpeSymbol>(text.Length);
        for (var offset = 0; offset < text.Length;)
        {
            var length = char.IsHighSurrogate(text[offset]) && offset + 1 < text.Length && char.IsLowSurrogate(text[offset + 1]) ? 2 : 1;
            symbols.Add(new BpeSymbol { Prev = symbols.Count - 1, Next = offset + length == text.Length ? -1 : symbols.Count + 1, Start = offset, Length = length });
            offset += length;
        }
        var syms = symbols.ToArray();

        // Highest score first; on equal scores the leftmost pair (llama.cpp's comparator).
        bool Rank(in BpeSymbol l, in BpeSymbol r, out float negatedScore)
        {
            negatedScore = 0;
            if (!TokenLookup.TryGetValue(text.AsSpan(l.Start, l.Length + r.Length), out var id)) return false;
            negatedScore = -_scores[id];
            return true;
        }
        BpeMerge.Run<float>(syms, Rank);

        Span<byte> utf8 = stackalloc byte[8];
        for (var i = 0; i != -1; i = syms[i].Next)
        {
            var piece = text.AsSpan(syms[i].Start, syms[i].Length);
            if (TokenLookup.TryGetValue(piece, out var id))
            {
                output.Add(id);
                continue;
            }
            // Every merged symbol is a vocab piece, so only single characters get here.
            var n = Encoding.UTF8.GetBytes(piece, utf8);
            for (var b = 0; b < n; b++)
            {
                if (_byteTokens[utf8[b]] is { } byteToken) output.Add(byteToken);
                else if (UnkId is { } unk)
                {
                    output.Add(unk); // llama.cpp would fail here; UNK is what SentencePiece itself emits
                    break;
                }
                else throw new InvalidOperationException($"Character '{piece.ToString()}' has no piece, no byte token and the vocab has no UNK.");
            }
        }
    }

    private protected override byte[] NormalTokenBytes(string text) => Encoding.UTF8.GetBytes(text.Replace(SpaceMarker, ' '));
}
