using System.Text.Json.Serialization;

namespace CoKv.Models;

/// <summary>Llama-3 style RoPE frequency scaling (Llama 3.1/3.2 "rope_type": "llama3").</summary>
public sealed partial record RopeScaling(
    double Factor,
    double LowFrequencyFactor,
    double HighFrequencyFactor,
    int OriginalMaxPositions);

/// <summary>
/// The shape of a Llama-family decoder with grouped-query attention. One record covers llama (2, 3, 3.x), mistral,
/// qwen2 (q/k/v bias) and qwen3 (per-head q/k RMSNorm). Weights are always held in the Hugging Face layout
/// (rotate-half RoPE); loaders of GGUF and llama2.c files convert.
/// </summary>
public sealed record ModelConfig
{
    public required string Architecture { get; init; }
    public required int VocabSize { get; init; }
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int LayerCount { get; init; }
    public required int HeadCount { get; init; }
    public required int KvHeadCount { get; init; }
    public required int HeadDim { get; init; }
    public int MaxContext { get; init; } = 2048;
    public double RopeTheta { get; init; } = 10000;
    public double RmsNormEps { get; init; } = 1e-5;
    public bool TiedEmbeddings { get; init; }
    /// <summary>Bias on the q, k and v projections (qwen2).</summary>
    public bool AttentionBias { get; init; }
    /// <summary>RMSNorm over each head's q and k before RoPE (qwen3).</summary>
    public bool QkNorm { get; init; }
    public RopeScaling? RopeScaling { get; init; }

    [JsonIgnore] public int QueriesPerKvHead => HeadCount / KvHeadCount;

    /// <summary>Throws <see cref="ModelFormatException"/> when the numbers cannot describe a working model.</summary>
    public void Validate()
    {
        void Require(bool ok, string what)
        {
            if (!ok) throw new ModelFormatException($"Invalid model configuration: {what}.");
        }
        Require(VocabSize > 0, $"vocab size {VocabSize}");
        Require(HiddenSize > 0, $"hidden size {HiddenSize}");
        Require(IntermediateSize > 0, $"intermediate size {IntermediateSize}");
        Require(LayerCount > 0, $"layer count {LayerCount}");
        Require(HeadCount > 0 && KvHeadCount > 0, $"heads {HeadCount}, KV heads {KvHeadCount}");
        Require(HeadCount % KvHeadCount == 0, $"{HeadCount} query heads are not a multiple of {KvHeadCount} KV heads");
        Require(HeadDim > 0 && HeadDim % 2 == 0, $"head dim {HeadDim} (must be even for RoPE)");
        Require(RopeTheta > 0, $"rope theta {RopeTheta}");
        Require(RmsNormEps > 0, $"RMS epsilon {RmsNormEps}");
        Require(MaxContext > 0, $"context length {MaxContext}");
        // Counted exactly, so that dimensions near 2^31 are refused here rather than wrapping around in ParameterCount.
        Require(ExactParameterCount() <= long.MaxValue / 4, $"{ExactParameterCount():N0} parameters (the dimensions are too large for any model)");
    }

    Int128 ExactParameterCount()
    {
        Int128 d = HiddenSize, q = (Int128)HeadCount * HeadDim, kv = (Int128)KvHeadCount * HeadDim;
        Int128 perLayer = d * q + 2 * d * kv + q * d + 3 * d * IntermediateSize + 2 * d + q + 2 * kv + 2 * (Int128)HeadDim;
        return LayerCount * perLayer + (Int128)VocabSize * d * 2 + d;
    }

    /// <summary>Number of parameters the decoder holds (the classifier counted once when tied).</summary>
    public long ParameterCount()
    {
        long d = HiddenSize, q = (long)HeadCount * HeadDim, kv = (long)KvHeadCount * HeadDim;
        long attention = d * q + 2 * d * kv + q * d + (AttentionBias ? q + 2 * kv : 0) + (QkNorm ? 2L * HeadDim : 0);
        long mlp = 3 * d * IntermediateSize;
        long perLayer = attention + mlp + 2 * d;
        long embeddings = (long)VocabSize * d * (TiedEmbeddings ? 1 : 2);
        return LayerCount * perLayer + embeddings + d;
    }
}
