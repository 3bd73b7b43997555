using CoKv.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoKv.Decoding;

/// <summary>
/// The token embedding table [vocab, hidden]; also the classifier's weight when the two are tied. It may stay in a
/// GGUF file's quantized blocks (<see cref="UseQuantized"/>): a lookup then dequantizes only the rows asked for.
/// </summary>
public sealed class TokenEmbedding : nn.Module<Tensor, Tensor>
{
    public readonly Parameter weight;
    readonly long _hidden;

    public TokenEmbedding(long vocab, long hidden, ScalarType dtype) : base(nameof(TokenEmbedding))
    {
        _hidden = hidden;
        weight = nn.Parameter(empty(vocab, hidden, dtype));
        register_parameter(nameof(weight), weight);
    }

    /// <summary>The table in its file encoding, or null when it is a dense tensor.</summary>
    public QuantizedRows? Quantized { get; private set; }

    /// <summary>Keeps the table as <paramref name="rows"/> (owned from now on) and frees the dense tensor.</summary>
    public void UseQuantized(QuantizedRows rows)
    {
        if (rows.Columns != _hidden) throw new ArgumentException($"Rows of {rows.Columns} cannot serve an embedding of {_hidden}.", nameof(rows));
        if (weight.dtype != ScalarType.Float32) throw new NotSupportedException("Quantized weights run in f32 only.");
        using (no_grad()) weight.set_(empty(0, ScalarType.Float32));
        Quantized = rows;
    }

    /// <summary>tokens [B, T] → [B, T, hidden].</summary>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        if (Quantized is null)
            return weight.index_select(0, tokens.flatten()).view(tokens.shape[0], tokens.shape[1], weight.shape[1]).MoveToOuterDisposeScope();
        var ids = tokens.flatten().data<long>().ToArray();
        var output = empty(ids.Length, _hidden, ScalarType.Float32);
        unsafe
        {
            float* destination = TensorMemory.Float32(output);
            for (int i = 0; i < ids.Length; i++)
            {
                if ((ulong)ids[i] >= (ulong)Quantized.Rows) throw new ArgumentOutOfRangeException(nameof(tokens), ids[i], $"Token ids are below {Quantized.Rows}.");
                Quantized.Dequantize((int)ids[i], 1, destination + i * _hidden);
            }
        }
        return output.view(tokens.shape[0], tokens.shape[1], _hidden).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Quantized?.Dispose();
        base.Dispose(disposing);
    }
}
