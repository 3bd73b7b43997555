using CoKv.Models;

namespace CoKv.Gguf.Quantization;

/// <summary>
/// Converts whole blocks of any readable ggml type to f32, bit for bit as ggml's own dequantize_row_* does (same
/// operations in the same order, no fused multiply-add), so that dequantized weights equal llama.cpp's.
/// </summary>
public static unsafe class GgmlDequantizer
{
    /// <summary>Whether <see cref="Dequantize(GgmlType, byte*, float*, long)"/> can read the type.</summary>
    public static bool IsSupported(GgmlType type) => type is
        GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 or
        GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0 or GgmlType.Q5_1 or GgmlType.Q8_0 or
        GgmlType.Q2_K or GgmlType.Q3_K or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K or
        GgmlType.IQ4_NL or GgmlType.IQ4_XS or GgmlType.MXFP4;

    /// <summary>The supported types, for messages.</summary>
    public static IReadOnlyList<GgmlType> SupportedTypes { get; } =
        Enum.GetValues<GgmlType>().Where(IsSupported).ToArray();

    /// <summary>
    /// Dequantizes <paramref name="count"/> values (a whole number of blocks) stored at <paramref name="source"/>.
    /// The caller guarantees that count / block size · block bytes bytes are readable and count floats writable.
    /// </summary>
    public static void Dequantize(GgmlType type, byte* source, float* destination, long count)
    {
        var layout = GgmlTypes.Layout(type) ?? throw Unsupported(type);
        if (count % layout.BlockSize != 0)
            throw new ArgumentException($"{count} values are not a whole number of {GgmlTypes.Name(type)} blocks of {layout.BlockSize}.", nameof(count));
        long blocks = count / layout.BlockSize;
        switch (type)
        {
            case GgmlType.F32: Buffer.MemoryCopy(source, destination, count * 4, count * 4); break;
            case GgmlType.F16: HalfToSingle((ushort*)source, destination, count); break;
            case GgmlType.BF16: BFloat16ToSingle((ushort*)source, destination, count); break;
            case GgmlType.Q4_0: Q4_0.Dequantize(source, destination, blocks); break;
            case GgmlType.Q4_1: Q4_1.Dequantize(source, destination, blocks); break;
            case GgmlType.Q5_0: Q5_0.Dequantize(source, destination, blocks); break;
            case GgmlType.Q5_1: Q5_1.Dequantize(source, destination, blocks); break;
            case GgmlType.Q8_0: Q8_0.Dequantize(source, destination, blocks); break;
            case GgmlType.Q2_K: Q2_K.Dequantize(source, destination, blocks); break;
            case GgmlType.Q3_K: Q3_K.Dequantize(source, destination, blocks); break;
            case GgmlType.Q4_K: Q4_K.Dequantize(source, destination, blocks); break;
            case GgmlType.Q5_K: Q5_K.Dequantize(source, destination, blocks); break;
            case GgmlType.Q6_K: Q6_K.Dequantize(source, destination, blocks); break;
            case GgmlType.IQ4_NL: IQ4_NL.Dequantize(source, destination, blocks); break;
            case GgmlType.IQ4_XS: IQ4_XS.Dequantize(source, destination, blocks); break;
            case GgmlType.MXFP4: MXFP4.Dequantize(source, destination, blocks); break;
            default: throw Unsupported(type);
        }
    }

    /// <summary>
    /// Dequantizes all of <paramref name="source"/> (whole blocks) into <paramref name="destination"/>, whose length
    /// must be the number of values those blocks hold.
    /// </summary>
    public static void Dequantize(GgmlType type, ReadOnlySpan<byte> source, Span<float> destination)
    {
        var layout = GgmlTypes.Layout(type) ?? throw Unsupported(type);
        if (source.Length % layout.BlockBytes != 0 || (long)source.Length / layout.BlockBytes * layout.BlockSize != destination.Length)
            throw new ArgumentException(
                $"{source.Length} bytes of {GgmlTypes.Name(type)} do not hold exactly {destination.Length} values (blocks of {layout.BlockSize} values in {layout.BlockBytes} bytes).");
        fixed (byte* s = source)
        fixed (float* d = destination)
            Dequantize(type, s, d, destination.Length);
    }

    static void HalfToSingle(ushort* source, float* destination, long count)
    {
        for (long i = 0; i < count; i += int.MaxValue / 2)
        {
            int n = (int)Math.Min(count - i, int.MaxValue / 2);
            FloatBits.HalfToSingle((byte*)(source + i), new Span<float>(destination + i, n));
        }
    }

    static void BFloat16ToSingle(ushort* source, float* destination, long count)
    {
        for (long i = 0; i < count; i += int.MaxValue / 2)
        {
            int n = (int)Math.Min(count - i, int.MaxValue / 2);
            FloatBits.BFloat16ToSingle((byte*)(source + i), new Span<float>(destination + i, n));
        }
    }

    static NotSupportedException Unsupported(GgmlType type) =>
        new($"ggml type {GgmlTypes.Name(type)} cannot be dequantized; supported: {GgmlTypes.SupportedList}.");
}
