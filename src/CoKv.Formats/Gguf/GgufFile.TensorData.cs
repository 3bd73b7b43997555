using CoKv.Gguf.Quantization;
using CoKv.Models;

namespace CoKv.Gguf;

public sealed partial class GgufFile
{
    /// <summary>
    /// A tensor's stored bytes in place (see <see cref="GgufTensorData"/>), for any type whose block layout is known,
    /// readable or not.
    /// </summary>
    public unsafe GgufTensorData GetTensorData(GgufTensorInfo tensor)
    {
        var (blockSize, blockBytes) = GgmlTypes.Layout(tensor.Type)
            ?? throw new ModelFormatException($"{Path}: tensor {tensor.Name} has type {GgmlTypes.Name(tensor.Type)}, whose block layout is unknown.");
        long bytes = tensor.ByteCount ?? 0;
        if (!_file.Contains(tensor.FileOffset, bytes))
            throw new ModelFormatException($"{Path}: the data of tensor '{tensor.Name}' lies past the end of the file.");
        return new GgufTensorData(this, tensor, _file.At(tensor.FileOffset), blockSize, blockBytes);
    }

    public GgufTensorData GetTensorData(string name) => GetTensorData(GetTensor(name));

    /// <summary>
    /// Reads rows <paramref name="firstRow"/>.. of a tensor as f32 in ggml order (a row is ne[0] elements),
    /// dequantizing every readable type. <paramref name="destination"/>'s length must be a whole number of rows.
    /// </summary>
    public void ReadRows(GgufTensorInfo tensor, long firstRow, Span<float> destination)
    {
        RequireReadable(tensor);
        long rowLength = tensor.Dimensions.Length == 0 ? 1 : tensor.Dimensions[0];
        if (rowLength == 0 || destination.Length == 0) return;
        long rows = tensor.ElementCount / rowLength;
        if (destination.Length % rowLength != 0 || firstRow < 0 || firstRow + destination.Length / rowLength > rows)
            throw new ArgumentException($"rows {firstRow}+{destination.Length / rowLength} of tensor '{tensor.Name}' ({rows} rows of {rowLength})");
        GetTensorData(tensor).DequantizeRows(firstRow, (int)(destination.Length / rowLength), destination);
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

    /// <summary>
    /// Checks that every tensor's type is readable; otherwise names each unreadable type with how many tensors have
    /// it (and one of them), so that a user sees the whole problem at once.
    /// </summary>
    public void RequireAllReadable()
    {
        var unsupported = Tensors.Where(t => !GgmlTypes.IsReadable(t.Type)).GroupBy(t => t.Type).ToList();
        if (unsupported.Count == 0) return;
        var parts = unsupported.Select(g => $"{GgmlTypes.Name(g.Key)} ({g.Count()} tensor{(g.Count() == 1 ? "" : "s")}, e.g. {g.First().Name})");
        throw new ModelFormatException(
            $"{Path}: {unsupported.Sum(g => g.Count())} of {Tensors.Count} tensors have types that are not supported: {string.Join(", ", parts)}; supported: {GgmlTypes.SupportedList}.");
    }

    internal unsafe void ThrowIfDisposed() => _ = _file.At(0);
}
