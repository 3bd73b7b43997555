using System.Runtime.CompilerServices;
using CoKv.Models;

namespace CoKv.Gguf.Quantization;

/// <summary>
/// ggml's Q4_1: 32 values in 20 bytes, f16 scale d, f16 offset m, then 16 bytes of nibbles (as in Q4_0);
/// value = q · d + m.
/// </summary>
public static unsafe class Q4_1
{
    public const int BlockSize = 32;
    public const int BlockBytes = 20;

    public static void Dequantize(byte* source, float* destination, long blocks)
    {
        sbyte* q = stackalloc sbyte[BlockSize];
        for (long b = 0; b < blocks; b++, source += BlockBytes, destination += BlockSize)
        {
            float d = FloatBits.HalfToSingle(Unsafe.ReadUnaligned<ushort>(source));
            float m = FloatBits.HalfToSingle(Unsafe.ReadUnaligned<ushort>(source + 2));
            Int8Scaling.SplitNibbles(source + 4, q, 0);
            Int8Scaling.ScaleAdd(q, d, m, destination, BlockSize);
        }
    }
}
