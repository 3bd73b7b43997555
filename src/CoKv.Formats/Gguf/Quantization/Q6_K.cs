using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
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
        sbyte* q = stackalloc sbyte[128];
        for (long b = 0; b < blocks; b++, source += BlockBytes)
        {
            byte* ql = source;
            byte* qh = source + 128;
            sbyte* sc = (sbyte*)(source + 192);
            float d = FloatBits.HalfToSingle(Unsafe.ReadUnaligned<ushort>(source + 208));
            for (int half = 0; half < 2; half++, ql += 64, qh += 32, sc += 8, destination += 128)
            {
                for (int l = 0; l < 32; l += 16) Unpack(ql + l, qh + l, q + l);
                // Scale per 16 values: value = (d · sc) · q, the order ggml multiplies in.
                for (int g = 0; g < 8; g++)
                    Int8Scaling.Scale(q + 16 * g, d * sc[g], destination + 16 * g, 16);
            }
        }
    }

    /// <summary>16 columns l of a half: its four values l, l + 32, l + 64, l + 96, stored at q + l + 32·k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Unpack(byte* ql, byte* qh, sbyte* q)
    {
        var a = Vector128.Load(ql);
        var b = Vector128.Load(ql + 32);
        var h = Vector128.Load(qh);
        var nibble = Vector128.Create((byte)0x0F);
        var two = Vector128.Create((byte)0x30);
        var bias = Vector128.Create((byte)32);
        Vector128.Store(((a & nibble) | (Vector128.ShiftLeft(h, 4) & two)) - bias, (byte*)q);
        Vector128.Store(((b & nibble) | (Vector128.ShiftLeft(h, 2) & two)) - bias, (byte*)q + 32);
        Vector128.Store((Vector128.ShiftRightLogical(a, 4) | (h & two)) - bias, (byte*)q + 64);
        Vector128.Store((Vector128.ShiftRightLogical(b, 4) | (Vector128.ShiftRightLogical(h, 2) & two)) - bias, (byte*)q + 96);
    }
}
