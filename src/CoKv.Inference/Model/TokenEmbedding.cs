using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoKv.Model;

/// <summary>The token embedding table [vocab, hidden]; also the classifier's weight when the two are tied.</summary>
public sealed class TokenEmbedding : nn.Module<Tensor, Tensor>
{
    public readonly Parameter weight;

    public TokenEmbedding(long vocab, long hidden, ScalarType dtype) : base(nameof(TokenEmbedding))
    {
        weight = nn.Parameter(empty(vocab, hidden, dtype));
        register_parameter(nameof(weight), weight);
    }

    /// <summary>tokens [B, T] → [B, T, hidden].</summary>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        return weight.index_select(0, tokens.flatten()).view(tokens.shape[0], tokens.shape[1], weight.shape[1]).MoveToOuterDisposeScope();
    }
}
