namespace CoKv.Tokenization;

/// <summary>
/// The special ids and flags a vocabulary declares (GGUF tokenizer.ggml.*_token_id / add_*_token, or
/// tokenizer_config.json). Ids outside the vocabulary are ignored, as llama.cpp does.
/// </summary>
public sealed record TokenizerSpecials
{
    public int? Bos { get; init; }
    public int? Eos { get; init; }
    public int? Unk { get; init; }
    /// <summary>End of turn (&lt;|eot_id|&gt;, &lt;|im_end|&gt;, ...). Found by its text when not given.</summary>
    public int? Eot { get; init; }
    /// <summary>End of message (Llama 3.1 &lt;|eom_id|&gt;). Found by its text when not given.</summary>
    public int? Eom { get; init; }
    public int? Pad { get; init; }
    /// <summary>Whether Encode(addBos: true) prepends BOS.</summary>
    public bool AddBos { get; init; }
    /// <summary>Whether Encode(addBos: true) appends EOS (llama.cpp's add_special also covers EOS).</summary>
    public bool AddEos { get; init; }
    /// <summary>More ids that end a generation, besides EOS/EOT/EOM and the end-of-turn texts llama.cpp knows.</summary>
    public IReadOnlyList<int> ExtraStopIds { get; init; } = [];
}
