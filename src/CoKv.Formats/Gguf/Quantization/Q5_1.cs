using System.Runtime.CompilerServices;
using CoKv.Models;

namespace CoKv.Gguf.Quantization;

/// <summary>
/// ggml's Q5_1: 32 values in 24 bytes, f16 scale d, f16 offset m, a 32-bit word of fifth bits, then 16 bytes of low
/// nibbles; value = q · d + m.
/// </summary>
public static unsafe class Q5_1
{
    public const int BlockSize = 32;
    public const int BlockBytes = 24;

    public static void Dequantize(byte* source, float* destination, long blocks)
    {
        for (long b = 0; b < blocks; b++, source += BlockBytes, destination += BlockSize)
        {
            float d = FloatBits.HalfToSingle(Unsafe.ReadUnaligned<ushort>(source));
            float m = FloatBits.HalfToSingle(Unsafe.ReadUnaligned<ushort>(source + 2));
            uint qh = Unsafe.ReadUnaligned<uint>(source + 4);
            byte* qs = source + 8;
            for (int j = 0; j < 16; j++)
            {
                int high0 = (int)((qh >> j) << 4) & 0x10;
                int high1 = (int)(qh >> (j + 12)) & 0x10;
                destination[j] = ((qs[j] & 0x0F) | high0) * d + m;
                destination[j + 16] = ((qs[j] >> 4) | high1) * d + m;
            }
        }
    }
}
