using CoKv.Models;

namespace CoKv.Gguf;

public sealed partial class GgufFile
{
    /// <summary>
    /// Reads rows <paramref name="firstRow"/>.. of a tensor as f32 in ggml order (a row is ne[0] elements),
    /// dequantizing F16, BF16 and Q8_0. <paramref name="destination"/>'s length must be a whole number of rows.
    /// </summary>
    public unsafe void ReadRows(GgufTensorInfo tensor, long firstRow, Span<float> destination)
    {
        RequireReadable(tensor);
        long rowLength = tensor.Dimensions.Length == 0 ? 1 : tensor.Dimensions[0];
        if (rowLength == 0 || destination.Length == 0) return;
        long rows = tensor.ElementCount / rowLength;
        if (destination.Length % rowLength != 0 || firstRow < 0 || firstRow + destination.Length / rowLength > rows)
            throw new ArgumentException($"rows {firstRow}+{destination.Length / rowLength} of tensor '{tensor.Name}' ({rows} rows of {rowLength})");
        var (blockSize, blockBytes) = GgmlTypes.Layout(tensor.Type)!.Value;
        long rowBytes = rowLength / blockSize * blockBytes;
        long start = tensor.FileOffset + firstRow * rowBytes;
        long bytes = destination.Length / blockSize * (long)blockBytes;
        if (!_file.Contains(start, bytes))
            throw new ModelFormatException($"{Path}: the data of tensor '{tensor.Name}' lies past the end of the file.");
        byte* p = _file.At(start);
        switch (tensor.Type)
        {
            case GgmlType.F32: FloatBits.CopySingle(p, destination); break;
            case GgmlType.F16: FloatBits.HalfToSingle(p, destination); break;
            case GgmlType.BF16: FloatBits.BFloat16ToSingle(p, destination); break;
            case GgmlType.Q8_0: Q8_0.Dequantize(p, destination); break;
        }
    }

    /// <summary>Reads the whole tensor as f32 in ggml order (ne[0] fastest), i.e. row-major in <see cref="GgufTensorInfo.Shape"/>.</summary>
    public void ReadFloat32(GgufTensorInfo tensor, Span<float> destination)
    {
        if (destination.Length != tensor.ElementCount)
            throw new ArgumentException($"tensor '{tensor.Name}' has {tensor.ElementCount} elements; the destination holds {destination.Length}");
        ReadRows(tensor, 0, destination);
    }

    internal void RequireReadable(GgufTensorInfo tensor)
    {
        if (!GgmlTypes.IsReadable(tensor.Type))
            throw new ModelFormatException($"{Path}: tensor {tensor.Name} has type {GgmlTypes.Name(tensor.Type)}, which is not supported; supported: {GgmlTypes.SupportedList}.");
    }
}
