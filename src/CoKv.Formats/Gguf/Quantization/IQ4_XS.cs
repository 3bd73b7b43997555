using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using CoKv.Models;

namespace CoKv.Gguf.Quantization;

/// <summary>
/// ggml's IQ4_XS: 256 values in 136 bytes: f16 d, a 16-bit word of scale high bits (2 per sub-block), 4 bytes of
/// scale low nibbles, then 8 sub-blocks of 32 values as 16 bytes of IQ4_NL nibbles each; a sub-block's 6-bit scale s
/// gives value = d · (s − 32) · level[q].
/// </summary>
public static unsafe class IQ4_XS
{
    public const int BlockSize = 256;
    public const int BlockBytes = 136;

    public static void Dequantize(byte* source, float* destination, long blocks)
    {
        var table = Vector128.Create(IQ4_NL.Levels);
        sbyte* q = stackalloc sbyte[32];
        for (long b = 0; b < blocks; b++, source += BlockBytes)
        {
            float d = FloatBits.HalfToSingle(Unsafe.ReadUnaligned<ushort>(source));
            int scalesHigh = Unsafe.ReadUnaligned<ushort>(source + 2);
            byte* scalesLow = source + 4;
            byte* qs = source + 8;
            for (int sub = 0; sub < 8; sub++, qs += 16, destination += 32)
            {
                int scale = ((scalesLow[sub / 2] >> (4 * (sub % 2))) & 0x0F) | (((scalesHigh >> (2 * sub)) & 3) << 4);
                float dl = d * (scale - 32);
                Int8Scaling.LookUpNibbles(qs, table, q);
                Int8Scaling.Scale(q, dl, destination, 32);
            }
        }
    }
}
