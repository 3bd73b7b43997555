using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
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
        sbyte* q = stackalloc sbyte[BlockSize];
        sbyte* nibbles = stackalloc sbyte[BlockSize];
        for (long b = 0; b < blocks; b++, source += BlockBytes, destination += BlockSize)
        {
            float d = FloatBits.HalfToSingle(Unsafe.ReadUnaligned<ushort>(source));
            float m = FloatBits.HalfToSingle(Unsafe.ReadUnaligned<ushort>(source + 2));
            uint qh = Unsafe.ReadUnaligned<uint>(source + 4);
            Int8Scaling.FifthBits(qh, (byte*)q);
            Int8Scaling.SplitNibbles(source + 8, nibbles, 0);
            Vector256.Store(Vector256.Load(q) + Vector256.Load(nibbles), q);
            Int8Scaling.ScaleAdd(q, d, m, destination, BlockSize);
        }
    }
}
