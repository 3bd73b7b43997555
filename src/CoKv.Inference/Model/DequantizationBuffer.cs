using CoKv.Kernels;
using static TorchSharp.torch;

namespace CoKv.Model;

/// <summary>
/// One f32 buffer, as large as the model's largest quantized matrix, that a forward pass dequantizes each quantized
/// weight into just before its GEMM: the whole model is never expanded, only one matrix at a time.
/// </summary>
public sealed class DequantizationBuffer : IDisposable
{
    readonly object _gate = new();
    Tensor? _buffer;
    long _capacity;

    public void Reserve(long elements) => _capacity = Math.Max(_capacity, elements);

    /// <summary>Dequantizes <paramref name="rows"/> and runs <paramref name="use"/> on it as an [out, in] tensor.</summary>
    public unsafe Tensor Apply(QuantizedRows rows, Func<Tensor, Tensor> use)
    {
        lock (_gate)
        {
            if (_buffer is null || _buffer.numel() < _capacity)
            {
                _buffer?.Dispose();
                _buffer = empty(_capacity, ScalarType.Float32).DetachFromDisposeScope();
            }
            rows.Dequantize(0, rows.Rows, TensorMemory.Float32(_buffer));
            using var scope = NewDisposeScope();
            var weight = _buffer.narrow(0, 0, (long)rows.Rows * rows.Columns).view(rows.Rows, rows.Columns);
            return use(weight).MoveToOuterDisposeScope();
        }
    }

    public void Dispose() => _buffer?.Dispose();
}
