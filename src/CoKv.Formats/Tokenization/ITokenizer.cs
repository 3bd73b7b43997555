namespace CoKv.Tokenization;

/// <summary>
/// A model's tokenizer. Ids are those of the model's vocabulary. <see cref="Decode(IEnumerable{int})"/> of any id sequence is the exact
/// text the model's reference implementation (llama.cpp) would print for it.
/// </summary>
public interface ITokenizer
{
    /// <summary>"spm" (SentencePiece with scores), "bpe" (byte-level BPE), or another short name.</summary>
    string Kind { get; }
    int VocabSize { get; }
    int? BosId { get; }
    int? EosId { get; }
    /// <summary>Ids that end a generation: EOS, end-of-turn (&lt;|eot_id|&gt;, &lt;|im_end|&gt;), ...</summary>
    IReadOnlySet<int> StopIds { get; }
    /// <summary>Encodes text; <paramref name="addBos"/> prepends BOS when the model uses one. Special-token text
    /// such as "&lt;|im_start|&gt;" is recognised as the special token when <paramref name="parseSpecial"/>.</summary>
    IReadOnlyList<int> Encode(string text, bool addBos = true, bool parseSpecial = true);
    /// <summary>Bytes of one token as the model would print it (special tokens render as their text).</summary>
    byte[] TokenBytes(int id);
    string Decode(IEnumerable<int> ids);
    /// <summary>Finds a special token's id by its text, e.g. "&lt;|eot_id|&gt;".</summary>
    int? FindToken(string text);

    // The members below have defaults so that adapters written against the first version of this interface still
    // compile; the vocabulary-backed tokenizers override them with llama.cpp's exact behaviour.

    /// <summary>Bytes of one token as a stream prints it: with <paramref name="renderSpecial"/> false, control and
    /// unknown tokens (BOS, EOS, &lt;|eot_id|&gt;) print nothing, as llama.cpp's llama_token_to_piece(special: false).</summary>
    byte[] TokenBytes(int id, bool renderSpecial) => TokenBytes(id);

    /// <summary>Decode that can also print control tokens as their text (llama_detokenize's unparse_special).</summary>
    string Decode(IEnumerable<int> ids, bool renderSpecial) => Decode(ids);

    /// <summary>The text of a token as stored in the vocabulary (e.g. "▁Once", "Ġthe", "&lt;0x0A&gt;").</summary>
    string? TokenText(int id) => null;
}
