using CoKv.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoKv.Decoding;

/// <summary>
/// A linear map y = x·Wᵀ + b whose weight starts uninitialised: loading a model then fills the memory once instead of
/// initialising a random matrix it would throw away (TorchSharp's Linear always initialises). The weight may instead
/// stay in a GGUF file's quantized blocks (<see cref="UseQuantized"/>): then a forward dequantizes it into a buffer
/// shared by the model's projections, one at a time.
/// </summary>
public sealed class Projection : nn.Module<Tensor, Tensor>
{
    public readonly Parameter weight;
    public readonly Parameter? bias;
    readonly long _inFeatures, _outFeatures;
    DequantizationBuffer? _buffer;

    public Projection(long inFeatures, long outFeatures, bool hasBias, ScalarType dtype) : base(nameof(Projection))
    {
        _inFeatures = inFeatures;
        _outFeatures = outFeatures;
        weight = nn.Parameter(empty(outFeatures, inFeatures, dtype));
        register_parameter(nameof(weight), weight);
        if (hasBias)
        {
            bias = nn.Parameter(zeros(outFeatures, dtype));
            register_parameter(nameof(bias), bias);
        }
    }

    /// <summary>The weight in its file encoding, or null when it is a dense tensor.</summary>
    public QuantizedRows? Quantized { get; private set; }

    /// <summary>Keeps the weight as <paramref name="rows"/> (owned from now on) and frees the dense tensor.</summary>
    public void UseQuantized(QuantizedRows rows, DequantizationBuffer buffer)
    {
        if (rows.Rows != _outFeatures || rows.Columns != _inFeatures)
            throw new ArgumentException($"A [{rows.Rows}, {rows.Columns}] matrix cannot serve a [{_outFeatures}, {_inFeatures}] projection.", nameof(rows));
        if (weight.dtype != ScalarType.Float32) throw new NotSupportedException("Quantized weights run in f32 only.");
        using (no_grad()) weight.set_(empty(0, ScalarType.Float32));
        Quantized = rows;
        _buffer = buffer;
        buffer.Reserve((long)rows.Rows * rows.Columns, rows.Columns);
    }

    /// <summary>The weight as the decode step's matrix–vector kernel reads it.</summary>
    public unsafe IRowMatrix RowMatrix => Quantized ?? (IRowMatrix)new F32RowMatrix(TensorMemory.Float32(weight), (int)_outFeatures, (int)_inFeatures);

    public override Tensor forward(Tensor x)
    {
        if (Quantized is null) return nn.functional.linear(x, weight, bias);
        return _buffer!.Linear(Quantized, x, bias);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Quantized?.Dispose();
        base.Dispose(disposing);
    }
}
