using System.Runtime.CompilerServices;
using CoKv.Models;

namespace CoKv.Gguf.Quantization;

/// <summary>ggml's Q8_0: blocks of 32 values stored as an f16 scale d followed by 32 int8 q; value = d · q.</summary>
public static unsafe class Q8_0
{
    public const int BlockSize = 32;
    public const int BlockBytes = 34;

    public static void Dequantize(byte* source, float* destination, long blocks)
    {
        for (long b = 0; b < blocks; b++, source += BlockBytes, destination += BlockSize)
        {
            float d = FloatBits.HalfToSingle(Unsafe.ReadUnaligned<ushort>(source));
            Int8Scaling.Scale((sbyte*)(source + 2), d, destination, BlockSize);
        }
    }

    /// <summary>Quantizes whole blocks the way ggml's reference does: d = max|x| / 127, q = round(x / d).</summary>
    public static void Quantize(ReadOnlySpan<float> source, Span<byte> destination)
    {
        int blocks = source.Length / GgmlTypes.Q8_0BlockSize;
        if (source.Length % GgmlTypes.Q8_0BlockSize != 0 || destination.Length != blocks * GgmlTypes.Q8_0BlockBytes)
            throw new ArgumentException("Q8_0 quantizes whole blocks of 32 values");
        for (int b = 0; b < blocks; b++)
        {
            var x = source.Slice(b * GgmlTypes.Q8_0BlockSize, GgmlTypes.Q8_0BlockSize);
            var block = destination.Slice(b * GgmlTypes.Q8_0BlockBytes, GgmlTypes.Q8_0BlockBytes);
            float amax = 0;
            foreach (var v in x) amax = Math.Max(amax, Math.Abs(v));
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            BitConverter.TryWriteBytes(block, FloatBits.SingleToHalf(d));
            for (int i = 0; i < x.Length; i++) block[2 + i] = (byte)(sbyte)MathF.Round(x[i] * id, MidpointRounding.AwayFromZero);
        }
    }
}
