using CoKv.Cache;
using CoKv.Kernels;
using CoKv.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoKv.Decoding;

/// <summary>
/// A Llama-family decoder (llama, mistral, qwen2, qwen3): token embedding, pre-norm blocks of GQA attention and SwiGLU,
/// final norm, classifier (tied to the embedding or not). Parameter names follow Hugging Face's, minus "model.".
/// </summary>
public sealed class Decoder : nn.Module<Tensor, Tensor>
{
    readonly TokenEmbedding embed_tokens;
    readonly ModuleList<DecoderLayer> layers;
    readonly RmsNorm norm;
    readonly Projection? lm_head;
    readonly Rotary _rotary;
    DecodeWeights? _managedWeights;

    public Decoder(ModelConfig config, ScalarType dtype = ScalarType.Float32, float[]? ropeFrequencyFactors = null)
        : base(nameof(Decoder))
    {
        config.Validate();
        if (dtype != ScalarType.Float32 && dtype != ScalarType.BFloat16)
            throw new ArgumentException($"Run dtype {dtype} is not supported: use Float32 or BFloat16 (f16 matmul is very slow on CPUs).");
        Config = config;
        DType = dtype;
        embed_tokens = new TokenEmbedding(config.VocabSize, config.HiddenSize, dtype);
        register_module(nameof(embed_tokens), embed_tokens);
        layers = new ModuleList<DecoderLayer>(Enumerable.Range(0, config.LayerCount).Select(l => new DecoderLayer(config, l, dtype)).ToArray());
        register_module(nameof(layers), layers);
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEps, dtype);
        register_module(nameof(norm), norm);
        if (!config.TiedEmbeddings)
        {
            lm_head = new Projection(config.HiddenSize, config.VocabSize, false, dtype);
            register_module(nameof(lm_head), lm_head);
        }
        _rotary = new Rotary(config, ropeFrequencyFactors);
    }

    public ModelConfig Config { get; }
    public ScalarType DType { get; }

    /// <summary>The weights as the managed decode step reads them (built on first use).</summary>
    public DecodeWeights ManagedWeights => _managedWeights ??= DecodeWeights.For(this);

    /// <summary>Where quantized projections are expanded, one matrix at a time, for a forward of several tokens.</summary>
    public DequantizationBuffer QuantizationBuffer { get; } = new();

    /// <summary>The embedding table (to keep it quantized at load).</summary>
    public TokenEmbedding Embedding => embed_tokens;

    /// <summary>The rotary frequencies the layers use.</summary>
    public Rotary Rotary => _rotary;

    public override Tensor forward(Tensor tokens) => Logits(Hidden(tokens, 0, null));

    /// <summary>
    /// Final hidden states [B, T, hidden] of tokens [B, T] at positions start.. start+T-1. With a cache, its contents
    /// are the context and the new keys and values are added to it.
    /// </summary>
    public Tensor Hidden(Tensor tokens, long start, IKvCache? cache)
    {
        using var scope = NewDisposeScope();
        var (cos, sin) = _rotary.Tables(start, tokens.shape[1], DType, tokens.device);
        var x = embed_tokens.forward(tokens);
        foreach (var layer in layers)
        {
            // Each layer's temporaries (and the previous hidden state) freed as it ends: a long prompt's peak memory
            // is one layer's activations, not all of them.
            Tensor next;
            using (var layerScope = NewDisposeScope()) next = layer.Forward(x, cos, sin, cache).MoveToOuterDisposeScope();
            x.Dispose();
            x = next;
        }
        return norm.forward(x).MoveToOuterDisposeScope();
    }

    /// <summary>Logits in f32 for hidden states [..., hidden].</summary>
    public Tensor Logits(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        long t = Kernels.StepTimings.Start();
        var quantized = lm_head is null ? embed_tokens.Quantized : lm_head.Quantized;
        var logits = quantized != null ? QuantizedLogits(quantized, hidden)
            : lm_head is null ? nn.functional.linear(hidden, embed_tokens.weight) : lm_head.forward(hidden);
        var result = logits.to(float32).MoveToOuterDisposeScope();
        Kernels.StepTimings.Stop("modules: classifier", t);
        return result;
    }

    /// <summary>
    /// A quantized classifier row by row through the decode kernel: its f32 form (vocab × hidden, 1 GB for a 128k
    /// vocabulary) is never made, and a prefill needs only the last row anyway.
    /// </summary>
    unsafe Tensor QuantizedLogits(QuantizedRows classifier, Tensor hidden)
    {
        var rows = hidden.to(float32).reshape(-1, Config.HiddenSize).contiguous();
        var logits = empty(rows.shape[0], Config.VocabSize, float32);
        float* x = Kernels.TensorMemory.Float32(rows), y = Kernels.TensorMemory.Float32(logits);
        using var job = new MatVecJob();
        var pool = WorkerPool.Shared(get_num_threads());
        for (long r = 0; r < rows.shape[0]; r++)
        {
            job.Set(x + r * Config.HiddenSize, classifier, y + r * Config.VocabSize);
            job.Run(pool);
        }
        var shape = hidden.shape.ToArray();
        shape[^1] = Config.VocabSize;
        return logits.view(shape);
    }

    /// <summary>A full cache sized for this model.</summary>
    public DenseKvCache CreateCache(long capacity, int observationWindow = 0, int queryStride = 0) =>
        new(Config.LayerCount, Config.KvHeadCount, Config.HeadDim, capacity, DType, observationWindow, queryStride);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _rotary.Dispose();
            QuantizationBuffer.Dispose();
        }
        base.Dispose(disposing);
    }
}
