using System.Text;

namespace CoKv.Tokenization;

/// <summary>
/// Byte-level BPE (GPT-2, Llama 3, Qwen2, SmolLM) with llama.cpp's algorithm (LLAMA_VOCAB_TYPE_BPE): split text into
/// words by the pre-tokenizer, map each word's UTF-8 bytes to GPT-2's byte characters, then merge adjacent symbols by
/// merge rank (lowest first, leftmost on ties). Vocabularies with ignore_merges (Llama 3) take a word that is a whole
/// vocab entry as is.
/// </summary>
public sealed class ByteLevelBpeTokenizer : VocabTokenizer
{
    // Merge pairs keyed "left right": GPT-2's byte characters never include a plain space, so the key is unambiguous.
    readonly Dictionary<string, int> _ranks;
    readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _rankLookup;

    public ByteLevelBpeTokenizer(
        IReadOnlyList<string> tokens,
        IReadOnlyList<string> merges,
        IReadOnlyList<TokenType>? types,
        TokenizerSpecials specials,
        BpePreTokenizerSettings preTokenizer)
        : base(tokens, types, specials)
    {
        ArgumentNullException.ThrowIfNull(merges);
        Settings = preTokenizer;
        _ranks = new Dictionary<string, int>(merges.Count, StringComparer.Ordinal);
        for (var i = 0; i < merges.Count; i++)
        {
            var merge = merges[i];
            // As llama.cpp: split at the first space after the first character (a merge may start with a space-like char).
            var cut = merge.Length > 1 ? merge.IndexOf(' ', 1) : -1;
            var key = cut < 0 ? " " : merge;
            _ranks.TryAdd(key, i);
        }
        _rankLookup = _ranks.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public BpePreTokenizerSettings Settings { get; }
    public override string Kind => "bpe";
    public override bool AddSpacePrefix => false;
    public override bool CleanSpaces => Settings.CleanSpaces;

    /// <summary>The rank of merging <paramref name="left"/> with <paramref name="right"/>, or null.</summary>
    public int? MergeRank(string left, string right) => _ranks.TryGetValue(left + " " + right, out var r) ? r : null;

    private protected override void TokenizeFragment(string fragment, bool afterSpecialOrStart, List<int> output)
    {
        foreach (var word in PreTokenizerSplitter.Split(fragment, Settings.PreTokenizer))
            TokenizeWord(ByteLevelEncoding.Encode(Encoding.UTF8.GetBytes(word)), output);
    }

    void TokenizeWord(string word, List<int> output)
    {
        if (word.Length == 0) return;
        if (Settings.IgnoreMerges && TokenToId.TryGetValue(word, out var whole))
        {
            output.Add(whole);
            return;
        }

        // Byte characters are all in the BMP: one char, one symbol.
        var syms = new BpeSymbol[word.Length];
        for (var i = 0; i < syms.Length; i++)
            syms[i] = new BpeSymbol { Prev = i - 1, Next = i + 1 == syms.Length ? -1 : i + 1, Start = i, Length = 1 };

        char[]? keyBuffer = null;
        bool Rank(in BpeSymbol l, in BpeSymbol r, out int rank)
        {
            var needed = l.Length + 1 + r.Length;
            if (keyBuffer == null || keyBuffer.Length < needed) keyBuffer = new char[Math.Max(needed, 64)];
            word.AsSpan(l.Start, l.Length).CopyTo(keyBuffer);
            keyBuffer[l.Length] = ' ';
            word.AsSpan(r.Start, r.Length).CopyTo(keyBuffer.AsSpan(l.Length + 1));
            return _rankLookup.TryGetValue(keyBuffer.AsSpan(0, needed), out rank);
        }
        BpeMerge.Run<int>(syms, Rank);

        for (var i = 0; i != -1; i = syms[i].Next)
        {
            var piece = word.AsSpan(syms[i].Start, syms[i].Length);
            if (TokenLookup.TryGetValue(piece, out var id))
            {
                output.Add(id);
                continue;
            }
            // llama.cpp then looks each UTF-8 byte of the piece up as a one-byte token: only ASCII characters can be.
            foreach (var c in piece)
                if (c < 0x80 && TokenLookup.TryGetValue(new ReadOnlySpan<char>(in c), out var single))
                    output.Add(single);
        }
    }

    private protected override byte[] NormalTokenBytes(string text)
    {
        var bytes = new List<byte>(text.Length);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.IsBmp && ByteLevelEncoding.TryDecode((char)rune.Value, out var b))
            {
                bytes.Add(b);
                continue;
            }
            // What llama.cpp prints for a character outside the byte map (its llama_decode_text).
            var n = rune.EncodeToUtf8(utf8);
            var marker = new StringBuilder("[UNK_BYTE_0x");
            for (var i = 0; i < n; i++) marker.Append(utf8[i].ToString("x2"));
            marker.Append(text).Append(']');
            bytes.AddRange(Encoding.UTF8.GetBytes(marker.ToString()));
        }
        return bytes.ToArray();
    }
}
