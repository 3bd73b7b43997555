using System.Runtime.CompilerServices;
using CoKv.Models;

namespace CoKv.Gguf.Quantization;

/// <summary>
/// ggml's Q6_K: 256 values in 210 bytes: 128 bytes of low nibbles, 64 bytes of high 2-bit pairs, 16 int8 scales
/// (one per 16 values), f16 d. Each half of 128 values takes 64 low-nibble bytes and 32 high bytes; value =
/// d · scale · (q − 32), multiplied in that order as ggml does.
/// </summary>
public static unsafe class Q6_K
{
    public const int BlockSize = 256;
    public const int BlockBytes = 210;

    public static void Dequantize(byte* source, float* destination, long blocks)
    {
        for (long b = 0; b < blocks; b++, source += BlockBytes)
        {
            byte* ql = source;
            byte* qh = source + 128;
            sbyte* sc = (sbyte*)(source + 192);
            float d = FloatBits.HalfToSingle(Unsafe.ReadUnaligned<ushort>(source + 208));
            for (int half = 0; half < 2; half++, ql += 64, qh += 32, sc += 8, destination += 128)
            {
                for (int l = 0; l < 32; l++)
                {
                    int s = l / 16;
                    int q1 = ((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32;
                    int q2 = ((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
                    int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                    int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                    destination[l] = d * sc[s] * q1;
                    destination[l + 32] = d * sc[s + 2] * q2;
                    destination[l + 64] = d * sc[s + 4] * q3;
                    destination[l + 96] = d * sc[s + 6] * q4;
                }
            }
        }
    }
}
