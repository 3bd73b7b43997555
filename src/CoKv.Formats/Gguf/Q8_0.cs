using CoKv.Models;

namespace CoKv.Gguf;

/// <summary>ggml's Q8_0: blocks of 32 values stored as an f16 scale d followed by 32 int8 q; value = d · q.</summary>
public static class Q8_0
{
    public static unsafe void Dequantize(byte* source, Span<float> destination)
    {
        int blocks = destination.Length / GgmlTypes.Q8_0BlockSize;
        for (int b = 0; b < blocks; b++)
        {
            byte* block = source + (long)b * GgmlTypes.Q8_0BlockBytes;
            float d = FloatBits.HalfToSingle(*(ushort*)block);
            var q = (sbyte*)(block + 2);
            var dst = destination.Slice(b * GgmlTypes.Q8_0BlockSize, GgmlTypes.Q8_0BlockSize);
            for (int i = 0; i < dst.Length; i++) dst[i] = d * q[i];
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
