using CoKv.Gguf;
using CoKv.Models;

namespace CoKv.Tokenization;

public static partial class TokenizerFactory
{
    /// <summary>
    /// The tokenizer a GGUF file declares, read as llama.cpp's vocab loader reads it: tokenizer.ggml.model "llama"
    /// (SentencePiece: tokens, scores, token_type) or "gpt2" (byte-level BPE: tokens, merges, token_type, pre).
    /// </summary>
    public static VocabTokenizer FromGguf(GgufFile gguf)
    {
        ArgumentNullException.ThrowIfNull(gguf);
        var model = gguf.GetString("tokenizer.ggml.model")
                    ?? throw new ModelFormatException($"{gguf.Path}: no tokenizer.ggml.model: the file carries no tokenizer.");
        var tokens = gguf.GetStringArray("tokenizer.ggml.tokens")
                     ?? throw new ModelFormatException($"{gguf.Path}: no tokenizer.ggml.tokens.");
        var typeInts = gguf.GetIntArray("tokenizer.ggml.token_type");
        var types = typeInts == null ? null : TokenTypes.FromInts(typeInts);
        if (types != null && types.Length < tokens.Count)
            throw new ModelFormatException($"{gguf.Path}: {types.Length} token types for {tokens.Count} tokens.");

        int? Id(string key, int? fallback)
        {
            var v = gguf.GetInteger($"tokenizer.ggml.{key}_token_id");
            // An id outside the vocabulary keeps the default, as llama.cpp does ("bad special token").
            return v is { } x && x >= 0 && x < tokens.Count ? (int)x : fallback is { } f && f < tokens.Count ? f : null;
        }

        switch (model)
        {
            case "llama":
            {
                var scores = gguf.GetFloatArray("tokenizer.ggml.scores");
                if (scores != null && scores.Length < tokens.Count)
                    throw new ModelFormatException($"{gguf.Path}: {scores.Length} scores for {tokens.Count} tokens.");
                var specials = new TokenizerSpecials
                {
                    Bos = Id("bos", 1), Eos = Id("eos", 2), Unk = Id("unknown", 0),
                    Eot = Id("eot", null), Eom = Id("eom", null), Pad = Id("padding", null),
                    AddBos = gguf.GetBool("tokenizer.ggml.add_bos_token") ?? true,
                    AddEos = gguf.GetBool("tokenizer.ggml.add_eos_token") ?? false,
                };
                var addSpacePrefix = gguf.GetBool("tokenizer.ggml.add_space_prefix") ?? true;
                return Build(gguf.Path, () => new SentencePieceTokenizer(tokens, scores, types, specials, addSpacePrefix));
            }
            case "gpt2":
            {
                var merges = gguf.GetStringArray("tokenizer.ggml.merges")
                             ?? throw new ModelFormatException($"{gguf.Path}: a gpt2 tokenizer without tokenizer.ggml.merges.");
                var settings = BpePreTokenizerSettings.FromGgufName(gguf.GetString("tokenizer.ggml.pre"));
                var specials = new TokenizerSpecials
                {
                    Bos = Id("bos", 11), Eos = Id("eos", 11), Unk = Id("unknown", null),
                    Eot = Id("eot", null), Eom = Id("eom", null), Pad = Id("padding", null),
                    AddBos = gguf.GetBool("tokenizer.ggml.add_bos_token") ?? settings.ForcesAddBos ?? false,
                    AddEos = gguf.GetBool("tokenizer.ggml.add_eos_token") ?? false,
                };
                return Build(gguf.Path, () => new ByteLevelBpeTokenizer(tokens, merges, types, specials, settings));
            }
            default:
                throw new ModelFormatException($"{gguf.Path}: tokenizer.ggml.model {MessageText.Quote(model)} is not supported (only 'llama' and 'gpt2').");
        }
    }

    /// <summary>Opens a GGUF file and reads its tokenizer.</summary>
    public static VocabTokenizer FromGguf(string path)
    {
        using var gguf = GgufFile.Open(path);
        return FromGguf(gguf);
    }

    /// <summary>The chat template a GGUF file carries (tokenizer.chat_template), if any.</summary>
    public static string? ChatTemplateFromGguf(GgufFile gguf) => gguf.GetString("tokenizer.chat_template");
}
