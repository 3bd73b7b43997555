using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
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
        sbyte* low = stackalloc sbyte[32];
        sbyte* high = stackalloc sbyte[32];
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
                Split(q, low, high);
                Split(q + 16, low + 16, high + 16);
                Int8Scaling.ScaleSubtract(low, d1, m1, destination, 32);
                Int8Scaling.ScaleSubtract(high, d2, m2, destination + 32, 32);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Split(byte* packed, sbyte* low, sbyte* high)
    {
        var v = Vector128.Load(packed);
        Vector128.Store((v & Vector128.Create((byte)0x0F)).AsSByte(), low);
        Vector128.Store(Vector128.ShiftRightLogical(v, 4).AsSByte(), high);
    }
}
