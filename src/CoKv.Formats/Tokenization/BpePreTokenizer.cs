namespace CoKv.Tokenization;

/// <summary>
/// How byte-level BPE splits text into words before merging: the regex families llama.cpp selects by the GGUF key
/// tokenizer.ggml.pre (llama-vocab.cpp). Each is implemented on code points, not with a regex engine, so that
/// letters and numbers outside the BMP classify as in llama.cpp (.NET's Regex sees surrogate halves there).
/// </summary>
public enum BpePreTokenizer
{
    /// <summary>llama.cpp's fallback for unknown names: punctuation runs, then GPT-2, then digit runs and triples.</summary>
    Default,
    /// <summary>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</summary>
    Gpt2,
    /// <summary>Llama 3: case-insensitive contractions, [^\r\n\p{L}\p{N}]?\p{L}+, \p{N}{1,3}, ... (ignore_merges, add_bos)</summary>
    Llama3,
    /// <summary>Qwen2: as Llama 3 but one digit per word.</summary>
    Qwen2,
    /// <summary>SmolLM, StarCoder, Refact, Command-R: every digit alone, then GPT-2.</summary>
    SmolLm,
}

/// <summary>What a tokenizer.ggml.pre name implies, as llama.cpp's vocab loader sets it.</summary>
public sealed record BpePreTokenizerSettings(BpePreTokenizer PreTokenizer, bool CleanSpaces, bool IgnoreMerges, bool? ForcesAddBos)
{
    public static BpePreTokenizerSettings FromGgufName(string? pre) => pre switch
    {
        "llama3" or "llama-v3" or "llama-bpe" or "falcon3" or "falcon-h1" or "pixtral" or "midm-2.0" or "lfm2"
            => new(BpePreTokenizer.Llama3, CleanSpaces: true, IgnoreMerges: true, ForcesAddBos: true),
        "qwen2" or "deepseek-r1-qwen" or "kormo" or "f2llmv2"
            => new(BpePreTokenizer.Qwen2, CleanSpaces: false, IgnoreMerges: false, null),
        "stablelm2" => new(BpePreTokenizer.Qwen2, CleanSpaces: true, IgnoreMerges: false, null),
        "smollm" => new(BpePreTokenizer.SmolLm, CleanSpaces: false, IgnoreMerges: false, null),
        "starcoder" or "refact" or "codeshell" or "exaone" or "minerva" => new(BpePreTokenizer.SmolLm, true, false, null),
        "command-r" => new(BpePreTokenizer.SmolLm, false, false, null),
        "gpt-2" or "phi-2" or "mpt" or "olmo" or "jais" or "gigachat" or "mellum" or "a.x-4.0" or "trillion"
            or "jina-es" or "jina-de" or "jina-v2-es" or "jina-v2-de" or "modern-bert" or "roberta-bpe" or "jina-v1-en" or "jina-v2-code"
            => new(BpePreTokenizer.Gpt2, CleanSpaces: true, IgnoreMerges: false, null),
        _ => new(BpePreTokenizer.Default, CleanSpaces: true, IgnoreMerges: false, null),
    };
}
