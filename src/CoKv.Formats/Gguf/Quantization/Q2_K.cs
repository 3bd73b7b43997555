using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using CoKv.Models;

namespace CoKv.Gguf.Quantization;

/// <summary>
/// ggml's Q2_K: 256 values in 84 bytes: 16 scale bytes (low nibble a scale, high nibble a min, one per 16 values),
/// 64 bytes of 2-bit quants, f16 d, f16 dmin. Each quant byte holds 4 values 32 apart; value = d·sc · q − dmin·m.
/// </summary>
public static unsafe class Q2_K
{
    public const int BlockSize = 256;
    public const int BlockBytes = 84;

    public static void Dequantize(byte* source, float* destination, long blocks)
    {
        sbyte* buffer = stackalloc sbyte[16];
        var three = Vector128.Create((byte)3);
        for (long b = 0; b < blocks; b++, source += BlockBytes)
        {
            byte* scales = source;
            byte* q = source + 16;
            float d = FloatBits.HalfToSingle(Unsafe.ReadUnaligned<ushort>(source + 80));
            float min = FloatBits.HalfToSingle(Unsafe.ReadUnaligned<ushort>(source + 82));
            int group = 0;
            for (int half = 0; half < 2; half++, q += 32)
            {
                for (int shift = 0; shift < 8; shift += 2)
                {
                    for (int part = 0; part < 2; part++, group++, destination += 16)
                    {
                        int sc = scales[group];
                        float dl = d * (sc & 0x0F);
                        float ml = min * (sc >> 4);
                        Vector128.Store((Vector128.ShiftRightLogical(Vector128.Load(q + 16 * part), shift) & three).AsSByte(), buffer);
                        Int8Scaling.ScaleSubtract(buffer, dl, ml, destination, 16);
                    }
                }
            }
        }
    }
}
