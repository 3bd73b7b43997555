using CoKv.Models;

namespace CoKv.Benchmarks;

/// <summary>Shapes of real models, to benchmark with random weights where the weights themselves are not at hand.</summary>
public static class ModelShapes
{
    public static IReadOnlyList<string> Names { get; } = ["smollm2-135m", "qwen2.5-0.5b", "llama3.2-1b"];

    public static ModelConfig Get(string name) => name.Trim().ToLowerInvariant() switch
    {
        "smollm2-135m" => new ModelConfig
        {
            Architecture = "llama", VocabSize = 49152, HiddenSize = 576, IntermediateSize = 1536, LayerCount = 30,
            HeadCount = 9, KvHeadCount = 3, HeadDim = 64, MaxContext = 8192, RopeTheta = 100000, TiedEmbeddings = true,
        },
        "qwen2.5-0.5b" => new ModelConfig
        {
            Architecture = "qwen2", VocabSize = 151936, HiddenSize = 896, IntermediateSize = 4864, LayerCount = 24,
            HeadCount = 14, KvHeadCount = 2, HeadDim = 64, MaxContext = 32768, RopeTheta = 1000000, RmsNormEps = 1e-6,
            TiedEmbeddings = true, AttentionBias = true,
        },
        "llama3.2-1b" => new ModelConfig
        {
            Architecture = "llama", VocabSize = 128256, HiddenSize = 2048, IntermediateSize = 8192, LayerCount = 16,
            HeadCount = 32, KvHeadCount = 8, HeadDim = 64, MaxContext = 131072, RopeTheta = 500000,
            TiedEmbeddings = true, RopeScaling = new RopeScaling(32, 1, 4, 8192),
        },
        _ => throw new ArgumentException($"Unknown model shape '{name}'. Known: {string.Join(", ", Names)}.", nameof(name)),
    };
}
