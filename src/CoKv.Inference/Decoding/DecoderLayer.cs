using CoKv.Cache;
using CoKv.Kernels;
using CoKv.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace CoKv.Decoding;

/// <summary>One pre-norm transformer block: x + attn(norm(x)), then + mlp(norm(x)).</summary>
public sealed class DecoderLayer : nn.Module<Tensor, Tensor>
{
    readonly RmsNorm input_layernorm, post_attention_layernorm;
    readonly Attention self_attn;
    readonly FeedForward mlp;

    public DecoderLayer(ModelConfig config, int layer, ScalarType dtype) : base(nameof(DecoderLayer))
    {
        input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, dtype);
        self_attn = new Attention(config, layer, dtype);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, dtype);
        mlp = new FeedForward(config.HiddenSize, config.IntermediateSize, dtype);
        register_module(nameof(input_layernorm), input_layernorm);
        register_module(nameof(self_attn), self_attn);
        register_module(nameof(post_attention_layernorm), post_attention_layernorm);
        register_module(nameof(mlp), mlp);
    }

    public override Tensor forward(Tensor x) => throw new NotSupportedException("Call Forward(x, cos, sin, cache).");

    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, IKvCache? cache)
    {
        using var scope = NewDisposeScope();
        long t = StepTimings.Start();
        var normed = input_layernorm.forward(x);
        StepTimings.Stop("modules: norms", t);
        var h = x.add(self_attn.Forward(normed, cos, sin, cache), HeldScalars.One);
        t = StepTimings.Start();
        normed = post_attention_layernorm.forward(h);
        StepTimings.Stop("modules: norms", t);
        t = StepTimings.Start();
        var output = h.add(mlp.forward(normed), HeldScalars.One).MoveToOuterDisposeScope();
        StepTimings.Stop("modules: feed-forward", t);
        return output;
    }
}
