using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
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
        sbyte* low = stackalloc sbyte[32];
        sbyte* high = stackalloc sbyte[32];
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
                Unpack(q, qh, (byte)u1, (byte)u2, low, high);
                Unpack(q + 16, qh + 16, (byte)u1, (byte)u2, low + 16, high + 16);
                Int8Scaling.ScaleSubtract(low, d1, m1, destination, 32);
                Int8Scaling.ScaleSubtract(high, d2, m2, destination + 32, 32);
            }
        }
    }

    /// <summary>16 five-bit values of each sub-block of the pair: nibble plus 16 where the pair's bit of qh is set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Unpack(byte* packed, byte* qh, byte bitLow, byte bitHigh, sbyte* low, sbyte* high)
    {
        var v = Vector128.Load(packed);
        var h = Vector128.Load(qh);
        var sixteen = Vector128.Create((byte)16);
        var lowBit = ~Vector128.Equals(h & Vector128.Create(bitLow), Vector128<byte>.Zero) & sixteen;
        var highBit = ~Vector128.Equals(h & Vector128.Create(bitHigh), Vector128<byte>.Zero) & sixteen;
        Vector128.Store(((v & Vector128.Create((byte)0x0F)) + lowBit).AsSByte(), low);
        Vector128.Store((Vector128.ShiftRightLogical(v, 4) + highBit).AsSByte(), high);
    }
}
