using CoKv.Models;

namespace CoKv.HuggingFace;

/// <summary>Reads a Hugging Face config.json (llama, mistral, qwen2, qwen3) into a <see cref="ModelConfig"/>.</summary>
public static class HfConfig
{
    public const string FileName = "config.json";
    public static readonly IReadOnlyList<string> SupportedModelTypes = ["llama", "mistral", "qwen2", "qwen3"];

    public static ModelConfig Parse(string configJsonPath)
    {
        using var doc = JsonFields.Load(configJsonPath, "the model's config.json");
        var f = new JsonFields(doc.RootElement, configJsonPath);
        var type = f.String("model_type") ?? throw new ModelFormatException($"{configJsonPath}: 'model_type' is missing.");
        if (!SupportedModelTypes.Contains(type))
            throw new ModelFormatException($"{configJsonPath}: model_type {MessageText.Quote(type)} is not supported; supported: {string.Join(", ", SupportedModelTypes)}.");

        int hidden = f.Int("hidden_size");
        int heads = f.Int("num_attention_heads");
        if (heads <= 0) throw new ModelFormatException($"{configJsonPath}: num_attention_heads is {heads}.");
        var config = new ModelConfig
        {
            Architecture = type,
            VocabSize = f.Int("vocab_size"),
            HiddenSize = hidden,
            IntermediateSize = f.Int("intermediate_size"),
            LayerCount = f.Int("num_hidden_layers"),
            HeadCount = heads,
            KvHeadCount = f.Int("num_key_value_heads", heads),
            HeadDim = f.Int("head_dim", hidden / heads),
            MaxContext = f.Int("max_position_embeddings", 2048),
            RopeTheta = f.Double("rope_theta", 10000),
            RmsNormEps = f.Double("rms_norm_eps", 1e-6),
            TiedEmbeddings = f.Bool("tie_word_embeddings", false),
            // qwen2 always has q/k/v biases; llama-style configs may ask for them with attention_bias.
            AttentionBias = type == "qwen2" || f.Bool("attention_bias", false),
            QkNorm = type == "qwen3",
            RopeScaling = ParseRopeScaling(f, configJsonPath),
        };
        try { config.Validate(); }
        catch (ModelFormatException e) { throw new ModelFormatException($"{configJsonPath}: {e.Message}", e); }
        return config;
    }

    static RopeScaling? ParseRopeScaling(JsonFields f, string path)
    {
        if (f.Get("rope_scaling") is not { ValueKind: System.Text.Json.JsonValueKind.Object } e) return null;
        var s = new JsonFields(e, path);
        var kind = s.String("rope_type") ?? s.String("type") ?? "default";
        if (kind == "default") return null;
        if (kind != "llama3")
            throw new ModelFormatException($"{path}: rope_scaling type {MessageText.Quote(kind)} is not supported; supported: llama3.");
        var scaling = new RopeScaling(
            s.Double("factor"),
            s.Double("low_freq_factor"),
            s.Double("high_freq_factor"),
            s.Int("original_max_position_embeddings"));
        if (scaling.Factor <= 0 || scaling.LowFrequencyFactor <= 0 || scaling.HighFrequencyFactor <= scaling.LowFrequencyFactor || scaling.OriginalMaxPositions <= 0)
            throw new ModelFormatException($"{path}: rope_scaling {MessageText.Json(e)} does not describe llama3 scaling (need factor > 0, high_freq_factor > low_freq_factor > 0).");
        return scaling;
    }
}
