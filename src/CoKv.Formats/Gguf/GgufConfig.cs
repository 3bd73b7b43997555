using CoKv.Models;

namespace CoKv.Gguf;

/// <summary>Builds a <see cref="ModelConfig"/> from the llama.cpp metadata keys of a GGUF model.</summary>
public static class GgufConfig
{
    public static ModelConfig ToModelConfig(GgufFile file)
    {
        var arch = file.Architecture;
        GgufArchitectures.Require(arch, file.Path);

        int Int(string key, int? fallback = null)
        {
            var v = file.GetInteger($"{arch}.{key}");
            if (v is null)
                return fallback ?? throw new ModelFormatException($"{file.Path}: metadata key '{arch}.{key}' is missing.");
            if (v < 0 || v > int.MaxValue)
                throw new ModelFormatException($"{file.Path}: metadata '{arch}.{key}' = {v:N0} is out of range (0 to {int.MaxValue:N0}).");
            return (int)v;
        }

        int hidden = Int("embedding_length");
        int heads = Int("attention.head_count");
        if (heads == 0) throw new ModelFormatException($"{file.Path}: {arch}.attention.head_count is 0.");
        int kvHeads = Int("attention.head_count_kv", heads);
        int headDim = Int("attention.key_length", hidden / heads);

        int vocab;
        if (file.GetStringArray("tokenizer.ggml.tokens") is { } tokens) vocab = tokens.Count;
        else if (file.FindTensor("token_embd.weight") is { Dimensions.Length: 2 } embd)
            vocab = embd.Dimensions[1] <= int.MaxValue ? (int)embd.Dimensions[1]
                : throw new ModelFormatException($"{file.Path}: token_embd.weight claims {embd.Dimensions[1]:N0} tokens, more than the limit {int.MaxValue:N0}.");
        else throw new ModelFormatException($"{file.Path}: cannot tell the vocabulary size (no tokenizer.ggml.tokens and no 2-D token_embd.weight).");

        var config = new ModelConfig
        {
            Architecture = arch,
            VocabSize = vocab,
            HiddenSize = hidden,
            IntermediateSize = Int("feed_forward_length"),
            LayerCount = Int("block_count"),
            HeadCount = heads,
            KvHeadCount = kvHeads,
            HeadDim = headDim,
            MaxContext = Int("context_length", 2048),
            RopeTheta = file.GetFloat($"{arch}.rope.freq_base") ?? 10000,
            RmsNormEps = file.GetFloat($"{arch}.attention.layer_norm_rms_epsilon") ?? 1e-5,
            TiedEmbeddings = !file.ContainsTensor("output.weight"),
            AttentionBias = file.ContainsTensor("blk.0.attn_q.bias"),
            QkNorm = file.ContainsTensor("blk.0.attn_q_norm.weight"),
        };
        try { config.Validate(); }
        catch (ModelFormatException e) { throw new ModelFormatException($"{file.Path}: {e.Message}", e); }
        return config;
    }
}
