using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
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
        sbyte* q = stackalloc sbyte[BlockSize];
        sbyte* nibbles = stackalloc sbyte[BlockSize];
        for (long b = 0; b < blocks; b++, source += BlockBytes, destination += BlockSize)
        {
            float d = FloatBits.HalfToSingle(Unsafe.ReadUnaligned<ushort>(source));
            uint qh = Unsafe.ReadUnaligned<uint>(source + 2);
            Int8Scaling.FifthBits(qh, (byte*)q);
            Int8Scaling.SplitNibbles(source + 6, nibbles, 16);
            Vector256.Store(Vector256.Load(q) + Vector256.Load(nibbles), q);
            Int8Scaling.Scale(q, d, destination, BlockSize);
        }
    }
}
