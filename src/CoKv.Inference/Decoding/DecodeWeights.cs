using CoKv.Kernels;
using static TorchSharp.torch;

namespace CoKv.Decoding;

/// <summary>
/// The decoder's weights as the managed decode step reads them: pointers into the same tensors the TorchSharp path
/// uses (nothing is copied), looked up by their parameter names. Valid while the decoder lives.
/// </summary>
public sealed unsafe class DecodeWeights
{
    public sealed class Layer
    {
        public required float* InputNorm, PostNorm;
        public required IRowMatrix Q, K, V, O, Gate, Up, Down;
        public float* QBias, KBias, VBias, QNorm, KNorm;
    }

    DecodeWeights(Decoder decoder)
    {
        var parameters = decoder.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter, StringComparer.Ordinal);
        var modules = decoder.named_modules().ToDictionary(m => m.name, m => m.module, StringComparer.Ordinal);
        var config = decoder.Config;
        float* Vector(string name) => TensorMemory.Float32(parameters[name]);
        float* Optional(string name) => parameters.TryGetValue(name, out var t) ? TensorMemory.Float32(t) : null;
        IRowMatrix Matrix(string name) => ((Projection)modules[name[..^".weight".Length]]).RowMatrix;

        Layers = new Layer[config.LayerCount];
        for (int l = 0; l < config.LayerCount; l++)
        {
            string p = $"layers.{l}.";
            Layers[l] = new Layer
            {
                InputNorm = Vector(p + "input_layernorm.weight"),
                PostNorm = Vector(p + "post_attention_layernorm.weight"),
                Q = Matrix(p + "self_attn.q_proj.weight"),
                K = Matrix(p + "self_attn.k_proj.weight"),
                V = Matrix(p + "self_attn.v_proj.weight"),
                O = Matrix(p + "self_attn.o_proj.weight"),
                Gate = Matrix(p + "mlp.gate_proj.weight"),
                Up = Matrix(p + "mlp.up_proj.weight"),
                Down = Matrix(p + "mlp.down_proj.weight"),
                QBias = Optional(p + "self_attn.q_proj.bias"),
                KBias = Optional(p + "self_attn.k_proj.bias"),
                VBias = Optional(p + "self_attn.v_proj.bias"),
                QNorm = Optional(p + "self_attn.q_norm.weight"),
                KNorm = Optional(p + "self_attn.k_norm.weight"),
            };
        }
        var embedding = decoder.Embedding;
        QuantizedEmbedding = embedding.Quantized;
        if (QuantizedEmbedding is null) Embedding = Vector("embed_tokens.weight");
        FinalNorm = Vector("norm.weight");
        Classifier = modules.ContainsKey("lm_head") ? Matrix("lm_head.weight")
            : QuantizedEmbedding ?? (IRowMatrix)new F32RowMatrix(Embedding, config.VocabSize, config.HiddenSize);
        InverseFrequency = decoder.Rotary.InverseFrequency.ToArray();
    }

    public Layer[] Layers { get; }
    /// <summary>The f32 embedding table, or null when it is kept quantized (<see cref="QuantizedEmbedding"/>).</summary>
    public float* Embedding { get; }
    public QuantizedRows? QuantizedEmbedding { get; }
    public float* FinalNorm { get; }
    public IRowMatrix Classifier { get; }
    public float[] InverseFrequency { get; }

    /// <summary>Weights and classifier bytes one decode step reads.</summary>
    public long Bytes => Layers.Sum(l => l.Q.Bytes + l.K.Bytes + l.V.Bytes + l.O.Bytes + l.Gate.Bytes + l.Up.Bytes + l.Down.Bytes) + Classifier.Bytes;

    /// <summary>Whether the managed step can run this decoder: f32 weights on the CPU.</summary>
    public static bool Supports(Decoder decoder) =>
        decoder.DType == ScalarType.Float32 && decoder.parameters().All(p => p.device_type == TorchSharp.DeviceType.CPU && p.is_contiguous());

    public static DecodeWeights For(Decoder decoder) => new(decoder);
}
