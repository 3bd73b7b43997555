using System.Runtime.CompilerServices;
using CoKv.Models;

namespace CoKv.Gguf.Quantization;

/// <summary>
/// ggml's Q5_0: 32 values in 22 bytes, an f16 scale d, a 32-bit word of fifth bits (bit j for value j), then 16
/// bytes of low nibbles (as in Q4_0); value = (q − 16) · d.
/// </summary>
public static unsafe class Q5_0
{
    public const int BlockSize = 32;
    public const int BlockBytes = 22;

    public static void Dequantize(byte* source, float* destination, long blocks)
    {
        for (long b = 0; b < blocks; b++, source += BlockBytes, destination += BlockSize)
        {
            float d = FloatBits.HalfToSingle(Unsafe.ReadUnaligned<ushort>(source));
            uint qh = Unsafe.ReadUnaligned<uint>(source + 2);
            byte* qs = source + 6;
            for (int j = 0; j < 16; j++)
            {
                int high0 = (int)((qh >> j) << 4) & 0x10;
                int high1 = (int)(qh >> (j + 12)) & 0x10;
                destination[j] = (((qs[j] & 0x0F) | high0) - 16) * d;
                destination[j + 16] = (((qs[j] >> 4) | high1) - 16) * d;
            }
        }
    }
}
