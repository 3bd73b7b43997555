using CoKv.Gguf.Quantization;
using CoKv.Models;

namespace CoKv.Gguf;

/// <summary>
/// One tensor's stored bytes where they lie in the memory-mapped file, in ggml's row layout: a row is ne[0] values,
/// stored as whole blocks of <see cref="BlockSize"/> values in <see cref="BlockBytes"/> bytes, rows back to back
/// <see cref="RowStride"/> bytes apart. For kernels that work on the quantized blocks directly. Valid while the
/// <see cref="GgufFile"/> is open.
/// </summary>
public sealed unsafe class GgufTensorData
{
    readonly GgufFile _file;
    readonly byte* _start;

    internal GgufTensorData(GgufFile file, GgufTensorInfo tensor, byte* start, int blockSize, int blockBytes)
    {
        _file = file;
        _start = start;
        Tensor = tensor;
        BlockSize = blockSize;
        BlockBytes = blockBytes;
        RowLength = tensor.Dimensions.Length == 0 ? 1 : tensor.Dimensions[0];
        RowCount = RowLength == 0 ? 0 : tensor.ElementCount / RowLength;
        RowStride = RowLength / blockSize * blockBytes;
    }

    public GgufTensorInfo Tensor { get; }
    public GgmlType Type => Tensor.Type;
    /// <summary>Values per block (1 for F32/F16/BF16, 32 for Q4_0–Q8_0 and IQ4_NL, 256 for the K types and IQ4_XS).</summary>
    public int BlockSize { get; }
    public int BlockBytes { get; }
    /// <summary>Values per row: ne[0], the innermost dimension (a weight matrix's input size).</summary>
    public long RowLength { get; }
    public long RowCount { get; }
    /// <summary>Bytes per row.</summary>
    public long RowStride { get; }
    public long BlocksPerRow => RowLength / BlockSize;
    public long ByteCount => RowCount * RowStride;
    /// <summary>Whether <see cref="DequantizeRows"/> can read this type.</summary>
    public bool CanDequantize => GgmlDequantizer.IsSupported(Type);

    /// <summary>
    /// Address of row <paramref name="row"/>'s first byte in the map; the next <see cref="RowStride"/> · n bytes hold
    /// rows row..row+n−1. Valid while the file is open.
    /// </summary>
    public byte* RowPointer(long row)
    {
        CheckRows(row, 0);
        _file.ThrowIfDisposed();
        return _start + row * RowStride;
    }

    /// <summary>The stored bytes of rows <paramref name="rowStart"/>..+<paramref name="rowCount"/>, read in place.</summary>
    public ReadOnlySpan<byte> RowBytes(long rowStart, int rowCount)
    {
        CheckRows(rowStart, rowCount);
        long bytes = rowCount * RowStride;
        if (bytes > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(rowCount), $"{rowCount} rows of tensor '{Tensor.Name}' take {bytes} bytes, more than a span can hold; use RowPointer.");
        _file.ThrowIfDisposed();
        return new ReadOnlySpan<byte>(_start + rowStart * RowStride, (int)bytes);
    }

    /// <summary>Copies the stored bytes of rows <paramref name="rowStart"/>.. into <paramref name="destination"/> (a whole number of rows).</summary>
    public void CopyRows(long rowStart, Span<byte> destination)
    {
        if (RowStride == 0 || destination.Length % RowStride != 0)
            throw new ArgumentException($"{destination.Length} bytes are not a whole number of rows of {RowStride} bytes (tensor '{Tensor.Name}').", nameof(destination));
        RowBytes(rowStart, (int)(destination.Length / RowStride)).CopyTo(destination);
    }

    /// <summary>
    /// Dequantizes rows <paramref name="rowStart"/>..+<paramref name="rowCount"/> to f32 into
    /// <paramref name="destination"/> (at least rowCount · <see cref="RowLength"/> values; the rest is left alone),
    /// exactly as ggml's dequantize_row does. Allocates nothing.
    /// </summary>
    public void DequantizeRows(long rowStart, int rowCount, Span<float> destination)
    {
        CheckRows(rowStart, rowCount);
        long values = rowCount * RowLength;
        if (destination.Length < values)
            throw new ArgumentException($"{rowCount} rows of tensor '{Tensor.Name}' hold {values} values; the destination holds {destination.Length}.", nameof(destination));
        if (!CanDequantize) _file.RequireReadable(Tensor);
        _file.ThrowIfDisposed();
        fixed (float* d = destination)
            GgmlDequantizer.Dequantize(Type, _start + rowStart * RowStride, d, values);
    }

    /// <summary>
    /// Tells the kernel this tensor's mapped pages may be dropped from memory (they are read back from the file if
    /// touched again). A loader that has copied the tensor calls it, so that loading holds the model once, not the
    /// model plus the mapped file. Linux only; elsewhere, and on any failure, nothing happens.
    /// </summary>
    public void ReleasePages() => ReleasePages(0, ByteCount);

    /// <summary>As <see cref="ReleasePages()"/>, for the whole pages inside bytes [offset, offset + count) of the tensor.</summary>
    public void ReleasePages(long offset, long count)
    {
        if (!OperatingSystem.IsLinux() || count <= 0) return;
        if (offset < 0 || count > ByteCount - offset)
            throw new ArgumentOutOfRangeException(nameof(count), $"bytes {offset}..+{count} are outside tensor '{Tensor.Name}' ({ByteCount} bytes).");
        _file.ThrowIfDisposed();
        const long page = 4096;
        long start = ((long)_start + offset + page - 1) & ~(page - 1), end = ((long)_start + offset + count) & ~(page - 1);
        if (end > start) _ = NativeMethods.madvise((void*)start, (nuint)(end - start), NativeMethods.MADV_DONTNEED);
    }

    /// <summary>
    /// Copies all stored bytes to <paramref name="destination"/> (<see cref="ByteCount"/> writable bytes) a few MiB at a
    /// time, releasing each piece's mapped pages once copied: a load's peak holds the copy plus one piece, not the copy
    /// plus the mapped tensor (215 MB for Llama 3's Q6_K embedding).
    /// </summary>
    public void CopyReleasing(byte* destination)
    {
        _file.ThrowIfDisposed();
        const long piece = 8 << 20;
        for (long offset = 0; offset < ByteCount; offset += piece)
        {
            long count = Math.Min(piece, ByteCount - offset);
            Buffer.MemoryCopy(_start + offset, destination + offset, count, count);
            ReleasePages(offset, count);
        }
    }

    static class NativeMethods
    {
        public const int MADV_DONTNEED = 4;

        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
        public static extern int madvise(void* address, nuint length, int advice);
    }

    void CheckRows(long rowStart, long rowCount)
    {
        if (rowStart < 0 || rowCount < 0 || rowStart > RowCount || rowCount > RowCount - rowStart)
            throw new ArgumentOutOfRangeException(nameof(rowStart), $"rows {rowStart}+{rowCount} of tensor '{Tensor.Name}' ({RowCount} rows of {RowLength})");
    }
}
