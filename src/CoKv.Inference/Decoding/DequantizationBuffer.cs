using CoKv.Kernels;
using static TorchSharp.torch;

namespace CoKv.Decoding;

/// <summary>
/// One f32 buffer that a forward pass of several tokens dequantizes quantized weights into, just before their GEMMs:
/// the model is never expanded. A matrix larger than the buffer is multiplied a block of output rows at a time, so
/// the buffer stays at most <see cref="DefaultMaxElements"/> floats (4 MiB) whatever the model: prefill memory then grows
/// with the activations, not with the largest matrix (67 MB for a Llama-3.2-1B MLP matrix).
/// </summary>
public sealed class DequantizationBuffer : IDisposable
{
    public const long DefaultMaxElements = 1 << 20;

    readonly object _gate = new();
    readonly long _maxElements;
    Tensor? _buffer;
    long _capacity;

    public DequantizationBuffer(long maxElements = DefaultMaxElements)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxElements, 1);
        _maxElements = maxElements;
    }

    /// <summary>Sizes the buffer for a matrix of <paramref name="columns"/> inputs and <paramref name="elements"/> values.</summary>
    public void Reserve(long elements, long columns) => _capacity = Math.Max(_capacity, Math.Min(elements, Math.Max(_maxElements, columns)));

    /// <summary>x · Wᵀ (+ bias) for the quantized W in <paramref name="rows"/>, x [..., in] → [..., out].</summary>
    public unsafe Tensor Linear(QuantizedRows rows, Tensor x, Tensor? bias)
    {
        lock (_gate)
        {
            if (_buffer is null || _buffer.numel() < _capacity)
            {
                _buffer?.Dispose();
                _buffer = empty(Math.Max(_capacity, rows.Columns), ScalarType.Float32).DetachFromDisposeScope();
            }
            int blockRows = (int)Math.Min(rows.Rows, _buffer.numel() / rows.Columns);
            if (blockRows == rows.Rows) return Block(rows, 0, rows.Rows, x, bias);

            using var scope = NewDisposeScope();
            var shape = x.shape.ToArray();
            shape[^1] = rows.Rows;
            var output = empty(shape, ScalarType.Float32);
            for (int start = 0; start < rows.Rows; start += blockRows)
            {
                int count = Math.Min(blockRows, rows.Rows - start);
                using var block = Block(rows, start, count, x, null);
                output.narrow(-1, start, count).copy_(block);
            }
            if (bias is not null) output.add_(bias);
            return output.MoveToOuterDisposeScope();
        }
    }

    unsafe Tensor Block(QuantizedRows rows, int start, int count, Tensor x, Tensor? bias)
    {
        rows.Dequantize(start, count, TensorMemory.Float32(_buffer!));
        using var scope = NewDisposeScope();
        var weight = _buffer!.narrow(0, 0, (long)count * rows.Columns).view(count, rows.Columns);
        return nn.functional.linear(x, weight, bias).MoveToOuterDisposeScope();
    }

    public void Dispose() => _buffer?.Dispose();
}
