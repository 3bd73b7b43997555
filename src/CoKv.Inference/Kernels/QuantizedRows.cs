using System.Runtime.InteropServices;
using CoKv.Gguf;
using CoKv.Gguf.Quantization;
using CoKv.Models;

namespace CoKv.Kernels;

/// <summary>
/// A weight matrix kept in its GGUF block encoding (a copy of the file's bytes in native memory, so the model does
/// not hold the file open; the mapped pages are released as they are copied): decode reads each block once per token,
/// about 1 byte per weight for Q8_0 instead of 4; prefill dequantizes it into a reused f32 buffer for GEMMs. Rows are
/// addressed in the Hugging Face order; <c>storedRowOf</c> maps them to the file's (llama.cpp keeps Q/K rows in
/// pair-interleaved RoPE order).
/// </summary>
public sealed unsafe class QuantizedRows : IRowMatrix, IDisposable
{
    readonly byte* _data;
    readonly int[]? _storedRowOf;
    readonly int[]? _outputOf;
    readonly ThreadLocal<float[]> _row;
    bool _disposed;

    public QuantizedRows(GgufTensorData tensor, int[]? storedRowOf)
    {
        if (tensor.RowLength > int.MaxValue || tensor.RowCount > int.MaxValue)
            throw new ModelFormatException($"tensor '{tensor.Tensor.Name}' is too large for one matrix ({tensor.RowCount} x {tensor.RowLength}).");
        if (!tensor.CanDequantize) throw new ModelFormatException($"tensor '{tensor.Tensor.Name}' has type {tensor.Type}, which cannot be read.");
        Type = tensor.Type;
        Rows = (int)tensor.RowCount;
        Columns = (int)tensor.RowLength;
        RowStride = tensor.RowStride;
        _storedRowOf = storedRowOf;
        if (storedRowOf != null)
        {
            _outputOf = new int[storedRowOf.Length];
            for (int r = 0; r < storedRowOf.Length; r++) _outputOf[storedRowOf[r]] = r;
        }
        Bytes = tensor.ByteCount;
        _data = (byte*)NativeMemory.AlignedAlloc((nuint)Math.Max(Bytes, 1), 64);
        tensor.CopyReleasing(_data);
        _row = new ThreadLocal<float[]>(() => new float[Columns]);
    }

    /// <summary>A matrix from its blocks in memory (rows × columns of <paramref name="type"/>, rows back to back).</summary>
    public QuantizedRows(GgmlType type, int rows, int columns, ReadOnlySpan<byte> blocks)
    {
        var layout = GgmlTypes.Layout(type) ?? throw new ModelFormatException($"type {type} has no block layout.");
        if (columns % layout.BlockSize != 0) throw new ArgumentException($"{columns} columns is not a whole number of {type} blocks.", nameof(columns));
        Type = type;
        Rows = rows;
        Columns = columns;
        RowStride = (long)columns / layout.BlockSize * layout.BlockBytes;
        Bytes = RowStride * rows;
        if (blocks.Length != Bytes) throw new ArgumentException($"{rows} rows of {columns} {type} values take {Bytes} bytes, not {blocks.Length}.", nameof(blocks));
        _data = (byte*)NativeMemory.AlignedAlloc((nuint)Math.Max(Bytes, 1), 64);
        blocks.CopyTo(new Span<byte>(_data, checked((int)Bytes)));
        _row = new ThreadLocal<float[]>(() => new float[Columns]);
    }

    public GgmlType Type { get; }
    public int Rows { get; }
    public int Columns { get; }
    public long RowStride { get; }
    public long Bytes { get; }

    /// <summary>Whether products take int8 activations (<see cref="MultiplyInt8"/>) as ggml's CPU kernels do.</summary>
    public bool UsesInt8Activations => QuantizedDot.HasInt8Dot && Columns % 32 == 0 && Type is
        GgmlType.Q8_0 or GgmlType.Q5_0 or GgmlType.Q4_0 or GgmlType.Q5_1 or GgmlType.Q4_1 or
        GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K or GgmlType.IQ4_NL or GgmlType.IQ4_XS;

    /// <summary>Whether <see cref="MultiplyInt8"/> reads the Q8_K form of the input (the K-quants and IQ4_XS) rather than Q8_0's.</summary>
    public bool UsesSuperBlocks => Type is GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K or GgmlType.IQ4_XS;

    /// <summary>
    /// The products of stored rows [rowStart, rowEnd), each into its output y[Output(r)], from the input already rounded
    /// to int8 (<see cref="Int8Input.Prepare"/>).
    /// </summary>
    public void MultiplyInt8(Int8Input x, float* y, int rowStart, int rowEnd)
    {
        int n = Columns;
        sbyte* q = x.Q, kq = x.KQ;
        float* scales = x.Scales, sums = x.Sums, kScales = x.KScales;
        short* kSums = x.KSums;
        switch (Type)
        {
            case GgmlType.Q8_0: for (int r = rowStart; r < rowEnd; r++) y[Output(r)] = QuantizedDot.Q8_0xQ8(_data + r * RowStride, q, scales, n); break;
            case GgmlType.Q5_0: for (int r = rowStart; r < rowEnd; r++) y[Output(r)] = QuantizedDot.Q5_0xQ8(_data + r * RowStride, q, scales, n); break;
            case GgmlType.Q4_0: for (int r = rowStart; r < rowEnd; r++) y[Output(r)] = QuantizedDot.Q4_0xQ8(_data + r * RowStride, q, scales, n); break;
            case GgmlType.Q5_1: for (int r = rowStart; r < rowEnd; r++) y[Output(r)] = QuantizedDot.Q5_1xQ8(_data + r * RowStride, q, scales, sums, n); break;
            case GgmlType.Q4_1: for (int r = rowStart; r < rowEnd; r++) y[Output(r)] = QuantizedDot.Q4_1xQ8(_data + r * RowStride, q, scales, sums, n); break;
            case GgmlType.Q4_K: for (int r = rowStart; r < rowEnd; r++) y[Output(r)] = QuantizedDot.Q4_KxQ8K(_data + r * RowStride, kq, kScales, kSums, n); break;
            case GgmlType.Q5_K: for (int r = rowStart; r < rowEnd; r++) y[Output(r)] = QuantizedDot.Q5_KxQ8K(_data + r * RowStride, kq, kScales, kSums, n); break;
            case GgmlType.Q6_K: for (int r = rowStart; r < rowEnd; r++) y[Output(r)] = QuantizedDot.Q6_KxQ8K(_data + r * RowStride, kq, kScales, kSums, n); break;
            case GgmlType.IQ4_NL: for (int r = rowStart; r < rowEnd; r++) y[Output(r)] = QuantizedDot.IQ4_NLxQ8(_data + r * RowStride, q, scales, n); break;
            case GgmlType.IQ4_XS: for (int r = rowStart; r < rowEnd; r++) y[Output(r)] = QuantizedDot.IQ4_XSxQ8K(_data + r * RowStride, kq, kScales, n); break;
            default: throw new NotSupportedException($"No int8 kernel for {Type}.");
        }
    }

    byte* Stored(int row) => _data + (_storedRowOf is null ? row : _storedRowOf[row]) * RowStride;

    /// <summary>
    /// The output (Hugging Face row) of stored row <paramref name="row"/>. Products walk the stored rows in file order
    /// and scatter their results: walking Q/K in Hugging Face order read every other 1–2 KB row of a head, then the
    /// rest, and ran at a third of the read speed of the other matrices.
    /// </summary>
    int Output(int row) => _outputOf is null ? row : _outputOf[row];

    public void Multiply(float* x, float* y, int rowStart, int rowEnd)
    {
        if (Type == GgmlType.Q8_0)
        {
            for (int r = rowStart; r < rowEnd; r++) y[Output(r)] = QuantizedDot.Q8_0(_data + r * RowStride, x, Columns);
            return;
        }
        // Other types: one row at a time into an L1-sized buffer, then an f32 dot. The weights are still read once,
        // in their own encoding; what this costs beyond a fused kernel is the conversion, not memory traffic.
        fixed (float* row = _row.Value)
            for (int r = rowStart; r < rowEnd; r++)
            {
                GgmlDequantizer.Dequantize(Type, _data + r * RowStride, row, Columns);
                y[Output(r)] = VectorMath.Dot(row, x, Columns);
            }
    }

    /// <summary>Rows [rowStart, rowStart + count) in f32, Hugging Face order, into <paramref name="destination"/>.</summary>
    public void Dequantize(int rowStart, int count, float* destination)
    {
        for (int r = 0; r < count; r++) GgmlDequantizer.Dequantize(Type, Stored(rowStart + r), destination + (long)r * Columns, Columns);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _row.Dispose();
        NativeMemory.AlignedFree(_data);
    }
}
