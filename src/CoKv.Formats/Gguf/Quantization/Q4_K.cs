using System.Runtime.CompilerServices;
using CoKv.Models;

namespace CoKv.Gguf.Quantization;

/// <summary>
/// ggml's Q4_K: 256 values in 144 bytes: f16 d, f16 dmin, 12 bytes of 6-bit scales and mins (<see cref="KScales"/>),
/// 128 bytes of nibbles. Each 32-byte run holds two sub-blocks of 32 (low nibbles first); value = d·sc · q − dmin·m.
/// </summary>
public static unsafe class Q4_K
{
    public const int BlockSize = 256;
    public const int BlockBytes = 144;

    public static void Dequantize(byte* source, float* destination, long blocks)
    {
        for (long b = 0; b < blocks; b++, source += BlockBytes)
        {
            float d = FloatBits.HalfToSingle(Unsafe.ReadUnaligned<ushort>(source));
            float min = FloatBits.HalfToSingle(Unsafe.ReadUnaligned<ushort>(source + 2));
            byte* scales = source + 4;
            byte* q = source + 16;
            for (int sub = 0; sub < 8; sub += 2, q += 32, destination += 64)
            {
                KScales.Get(sub, scales, out int sc, out int m);
                float d1 = d * sc, m1 = min * m;
                KScales.Get(sub + 1, scales, out sc, out m);
                float d2 = d * sc, m2 = min * m;
                for (int l = 0; l < 32; l++)
                {
                    destination[l] = d1 * (q[l] & 0x0F) - m1;
                    destination[l + 32] = d2 * (q[l] >> 4) - m2;
                }
            }
        }
    }
}
