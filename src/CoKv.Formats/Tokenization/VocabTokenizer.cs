using System.Text;

namespace CoKv.Tokenization;

/// <summary>
/// What SentencePiece and byte-level BPE share in llama.cpp: the vocabulary with per-token attributes, special-token
/// splitting before tokenization, end-of-generation ids, and detokenization (llama_token_to_piece /
/// llama_detokenize). Subclasses tokenize plain-text fragments and print normal tokens.
/// </summary>
public abstract class VocabTokenizer : ITokenizer
{
    // Texts llama.cpp treats as end of generation whatever the metadata says (llama-vocab.cpp, special_eog_ids).
    static readonly string[] EndOfGenerationTexts =
    [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>",
        "<|end_of_text|>", "<end_of_utterance>", "</s>", "<eos>",
    ];

    // Texts llama.cpp takes as the end-of-turn token when the metadata names none.
    static readonly string[] EndOfTurnTexts =
    [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>",
        "<｜end▁of▁sentence｜>", "<end_of_utterance>",
    ];

    private protected readonly string[] Tokens;
    private protected readonly TokenAttributes[] Attributes;
    private protected readonly Dictionary<string, int> TokenToId;
    private protected readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> TokenLookup;
    readonly int[] _specialsByLength;
    byte[][]? _pieces;
    readonly HashSet<int> _stopIds;

    private protected VocabTokenizer(IReadOnlyList<string> tokens, IReadOnlyList<TokenType>? types, TokenizerSpecials specials)
    {
        if (tokens.Count == 0) throw new ArgumentException("The vocabulary is empty.", nameof(tokens));
        if (types != null && types.Count < tokens.Count)
            throw new ArgumentException($"{types.Count} token types for {tokens.Count} tokens.", nameof(types));

        Tokens = new string[tokens.Count];
        Attributes = new TokenAttributes[tokens.Count];
        TokenToId = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (var i = 0; i < Tokens.Length; i++)
        {
            // llama.cpp renames empty tokens so that every text maps back to one id.
            var text = string.IsNullOrEmpty(tokens[i]) ? $"[EMPTY_{i}]" : tokens[i];
            Tokens[i] = text;
            TokenToId[text] = i; // a later duplicate wins, as in llama.cpp's token_to_id map
            Attributes[i] = types == null ? TokenAttributes.Normal : types[i].ToAttributes();
            // Checked here, not when the token is first printed: a vocabulary that cannot decode is refused at load.
            if ((Attributes[i] & TokenAttributes.Byte) != 0 && !TryByteTokenValue(text, out _))
                throw new ArgumentException($"token {i} is typed as a byte token, but its text {CoKv.Models.MessageText.Quote(text)} is not of the form <0xXX>.", nameof(tokens));
        }
        TokenLookup = TokenToId.GetAlternateLookup<ReadOnlySpan<char>>();

        int? InVocab(int? id) => id is { } v && v >= 0 && v < Tokens.Length ? v : null;
        BosId = InVocab(specials.Bos);
        EosId = InVocab(specials.Eos);
        UnkId = InVocab(specials.Unk);
        PadId = InVocab(specials.Pad);
        EotId = InVocab(specials.Eot) ?? FindFirst(EndOfTurnTexts);
        EomId = InVocab(specials.Eom) ?? FindFirst(["<|eom_id|>"]);
        AddBos = specials.AddBos && BosId != null;
        AddEos = specials.AddEos && EosId != null;

        // As llama.cpp: end-of-turn-looking tokens are made control tokens (some conversions typed them normal),
        // which also makes them splittable from text and invisible in plain decoding.
        if (EotId is { } eot) Attributes[eot] |= TokenAttributes.Control;
        if (EomId is { } eom) Attributes[eom] |= TokenAttributes.Control;
        _stopIds = [];
        foreach (var text in EndOfGenerationTexts)
            if (TokenToId.TryGetValue(text, out var id))
            {
                _stopIds.Add(id);
                Attributes[id] |= TokenAttributes.Control;
            }
        foreach (var id in new[] { EosId, EotId, EomId })
            if (id is { } v) _stopIds.Add(v);
        foreach (var id in specials.ExtraStopIds)
            if (id >= 0 && id < Tokens.Length) _stopIds.Add(id);

        // Control tokens named "unused" are unused (Gemma's <unused12>); llama.cpp keeps them splittable.
        for (var i = 0; i < Tokens.Length; i++)
            if ((Attributes[i] & TokenAttributes.Control) != 0 && Tokens[i].Contains("unused", StringComparison.Ordinal))
                Attributes[i] |= TokenAttributes.Unused;

        // Longest first, so that "<|im_start|>" is not cut by a shorter special token inside it. llama.cpp's sort
        // is unstable; ties (equal length) cannot overlap at the same position, so the order among them is moot.
        _specialsByLength = Enumerable.Range(0, Tokens.Length)
            .Where(i => (Attributes[i] & (TokenAttributes.Control | TokenAttributes.UserDefined | TokenAttributes.Unknown)) != 0)
            .OrderByDescending(i => Tokens[i].Length == 0 ? 0 : Encoding.UTF8.GetByteCount(Tokens[i]))
            .ThenBy(i => i)
            .ToArray();

        int? FindFirst(IEnumerable<string> texts)
        {
            foreach (var t in texts)
                if (TokenToId.TryGetValue(t, out var id)) return id;
            return null;
        }
    }

    public abstract string Kind { get; }
    public int VocabSize => Tokens.Length;
    public int? BosId { get; }
    public int? EosId { get; }
    public int? UnkId { get; }
    public int? PadId { get; }
    public int? EotId { get; }
    public int? EomId { get; }
    /// <summary>Whether the model wants BOS prepended (tokenizer.ggml.add_bos_token).</summary>
    public bool AddBos { get; }
    public bool AddEos { get; }
    public IReadOnlySet<int> StopIds => _stopIds;

    /// <summary>Whether the first token printed by a whole-sequence decode loses one leading space.</summary>
    public abstract bool AddSpacePrefix { get; }
    /// <summary>Whether decoding tidies " ." / " 's" as llama.cpp's clean_spaces does (most GPT-2-style vocabs).</summary>
    public abstract bool CleanSpaces { get; }

    public string TokenText(int id) => Tokens[CheckId(id)];
    public TokenAttributes GetAttributes(int id) => Attributes[CheckId(id)];

    public int? FindToken(string text) => TokenToId.TryGetValue(text, out var id) ? id : null;

    public IReadOnlyList<int> Encode(string text, bool addBos = true, bool parseSpecial = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var output = new List<int>(text.Length / 3 + 2);
        if (addBos && AddBos) output.Add(BosId!.Value);

        var isPrevSpecial = true; // SentencePiece prefixes a space to the first fragment and to one after a special token
        foreach (var fragment in SpecialTokenSplitter.Split(text, _specialsByLength, Tokens, Attributes, parseSpecial))
        {
            if (fragment.TokenId is { } special)
            {
                output.Add(special);
                isPrevSpecial = true;
            }
            else
            {
                TokenizeFragment(fragment.Text!, isPrevSpecial, output);
                isPrevSpecial = false;
            }
        }

        if (addBos && AddEos) output.Add(EosId!.Value);
        return output;
    }

    /// <summary>Tokenizes text that holds no special token (already split out).</summary>
    private protected abstract void TokenizeFragment(string text, bool afterSpecialOrStart, List<int> output);

    /// <summary>The bytes a normal-typed token prints.</summary>
    private protected abstract byte[] NormalTokenBytes(string text);

    public byte[] TokenBytes(int id) => TokenBytes(id, renderSpecial: true);

    public byte[] TokenBytes(int id, bool renderSpecial)
    {
        var attr = Attributes[CheckId(id)];
        if (!renderSpecial && (attr & (TokenAttributes.Unknown | TokenAttributes.Control)) != 0) return [];
        return (byte[])Pieces[id].Clone();
    }

    /// <summary>Decodes as llama.cpp's llama_detokenize(remove_special: false, unparse_special: false): control
    /// tokens print nothing; the first token loses one leading space when the vocab adds a space prefix (so a
    /// sequence starting with BOS keeps the space of the word after BOS, exactly as llama.cpp prints it).</summary>
    public string Decode(IEnumerable<int> ids) => Decode(ids, renderSpecial: false);

    public string Decode(IEnumerable<int> ids, bool renderSpecial) => Encoding.UTF8.GetString(DecodeBytes(ids, renderSpecial));

    public byte[] DecodeBytes(IEnumerable<int> ids, bool renderSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var buffer = new List<byte>();
        var first = true;
        foreach (var id in ids)
        {
            AppendPiece(buffer, id, renderSpecial, stripLeadingSpace: first && AddSpacePrefix);
            first = false;
        }
        var bytes = buffer.ToArray();
        return CleanSpaces ? SpaceCleaner.Clean(bytes) : bytes;
    }

    /// <summary>Appends one token's printed bytes, optionally without one leading space (llama_token_to_piece's lstrip).</summary>
    internal void AppendPiece(List<byte> buffer, int id, bool renderSpecial, bool stripLeadingSpace)
    {
        var attr = Attributes[CheckId(id)];
        if (!renderSpecial && (attr & (TokenAttributes.Unknown | TokenAttributes.Control)) != 0) return;
        var piece = Pieces[id];
        var start = stripLeadingSpace && piece.Length > 0 && piece[0] == (byte)' ' ? 1 : 0;
        for (var i = start; i < piece.Length; i++) buffer.Add(piece[i]);
    }

    // llama.cpp's token_to_piece cache: every token as printed with special = true.
    byte[][] Pieces => _pieces ??= BuildPieces();

    byte[][] BuildPieces()
    {
        var pieces = new byte[Tokens.Length][];
        for (var i = 0; i < pieces.Length; i++)
        {
            var attr = Attributes[i];
            if ((attr & (TokenAttributes.Unknown | TokenAttributes.Control | TokenAttributes.UserDefined)) != 0)
                pieces[i] = Encoding.UTF8.GetBytes(Tokens[i]);
            else if ((attr & TokenAttributes.Normal) != 0)
                pieces[i] = NormalTokenBytes(Tokens[i]);
            else if ((attr & TokenAttributes.Byte) != 0)
                pieces[i] = [ByteTokenValue(Tokens[i])];
            else
                pieces[i] = []; // unused / undefined tokens print nothing
        }
        return pieces;
    }

    /// <summary>The byte of a "&lt;0xXX&gt;" token (SentencePiece byte fallback).</summary>
    private protected static byte ByteTokenValue(string text) =>
        TryByteTokenValue(text, out var b) ? b : throw new FormatException($"Byte token '{text}' is not of the form <0xXX>.");

    static bool TryByteTokenValue(string text, out byte value)
    {
        value = 0;
        return text.Length >= 5 && Uri.IsHexDigit(text[3]) && Uri.IsHexDigit(text[4])
               && byte.TryParse(text.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out value);
    }

    private protected int CheckId(int id) =>
        (uint)id < (uint)Tokens.Length ? id : throw new ArgumentOutOfRangeException(nameof(id), id, $"Token id outside the vocabulary of {Tokens.Length}.");
}
