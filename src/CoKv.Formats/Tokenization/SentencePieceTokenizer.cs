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

    struct Symbol
    {
        public int Prev, Next, Start, Length;
    }

    private protected override void TokenizeFragment(string fragment, bool afterSpecialOrStart, List<int> output)
    {
        var text = (AddSpacePrefix && afterSpecialOrStart ? " " + fragment : fragment).Replace(' ', SpaceMarker);
        if (text.Length == 0) return;

        // One symbol per Unicode scalar (a surrogate pair stays together, like one UTF-8 character in llama.cpp).
        var symbols = new List<Symbol>(text.Length);
        for (var offset = 0; offset < text.Length;)
        {
            var length = char.IsHighSurrogate(text[offset]) && offset + 1 < text.Length && char.IsLowSurrogate(text[offset + 1]) ? 2 : 1;
            symbols.Add(new Symbol { Prev = symbols.Count - 1, Next = offset + length == text.Length ? -1 : symbols.Count + 1, Start = offset, Length = length });
            offset += length;
        }
        var syms = symbols.ToArray();

        // Highest score first; on equal scores the leftmost pair (llama.cpp's comparator).
        var queue = new PriorityQueue<(int Left, int Right, int Size), (float NegScore, int Left)>();
        void TryAddPair(int left, int right)
        {
            if (left < 0 || right < 0) return;
            var size = syms[left].Length + syms[right].Length;
            if (!TokenLookup.TryGetValue(text.AsSpan(syms[left].Start, size), out var id)) return;
            queue.Enqueue((left, right, size), (-_scores[id], left));
        }

        for (var i = 1; i < syms.Length; i++) TryAddPair(i - 1, i);

        while (queue.TryDequeue(out var pair, out _))
        {
            ref var left = ref syms[pair.Left];
            ref var right = ref syms[pair.Right];
            // Stale: one side has merged with something else since the pair was queued.
            if (left.Length == 0 || right.Length == 0 || left.Length + right.Length != pair.Size) continue;

            left.Length += right.Length;
            right.Length = 0;
            left.Next = right.Next;
            if (right.Next >= 0) syms[right.Next].Prev = pair.Left;

            TryAddPair(left.Prev, pair.Left);
            TryAddPair(pair.Left, left.Next);
        }

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
