using System.Runtime.CompilerServices;
using CoKv.Models;

namespace CoKv.Gguf.Quantization;

/// <summary>
/// ggml's Q5_K: 256 values in 176 bytes: f16 d, f16 dmin, 12 bytes of scales and mins (<see cref="KScales"/>), 32
/// bytes of fifth bits (bit 2k / 2k+1 of byte l for value l of sub-block pair k), 128 bytes of nibbles laid out as in
/// Q4_K; value = d·sc · q − dmin·m.
/// </summary>
public static unsafe class Q5_K
{
    public const int BlockSize = 256;
    public const int BlockBytes = 176;

    public static void Dequantize(byte* source, float* destination, long blocks)
    {
        for (long b = 0; b < blocks; b++, source += BlockBytes)
        {
            float d = FloatBits.HalfToSingle(Unsafe.ReadUnaligned<ushort>(source));
            float min = FloatBits.HalfToSingle(Unsafe.ReadUnaligned<ushort>(source + 2));
            byte* scales = source + 4;
            byte* qh = source + 16;
            byte* q = source + 48;
            int u1 = 1, u2 = 2;
            for (int sub = 0; sub < 8; sub += 2, q += 32, destination += 64, u1 <<= 2, u2 <<= 2)
            {
                KScales.Get(sub, scales, out int sc, out int m);
                float d1 = d * sc, m1 = min * m;
                KScales.Get(sub + 1, scales, out sc, out m);
                float d2 = d * sc, m2 = min * m;
                for (int l = 0; l < 32; l++)
                {
                    destination[l] = d1 * ((q[l] & 0x0F) + ((qh[l] & u1) != 0 ? 16 : 0)) - m1;
                    destination[l + 32] = d2 * ((q[l] >> 4) + ((qh[l] & u2) != 0 ? 16 : 0)) - m2;
                }
            }
        }
    }
}
