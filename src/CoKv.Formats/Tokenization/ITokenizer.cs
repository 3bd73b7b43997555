namespace CoKv.Tokenization;

/// <summary>
/// A model's tokenizer. Ids are those of the model's vocabulary. <see cref="Decode"/> of any id sequence is the exact
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
}
