using System.Runtime.CompilerServices;
using CoKv.Models;

namespace CoKv.Gguf.Quantization;

/// <summary>
/// ggml's Q4_0: 32 values in 18 bytes, an f16 scale d then 16 bytes of nibbles (low nibble of byte j is value j,
/// high nibble value j + 16); value = (q − 8) · d.
/// </summary>
public static unsafe class Q4_0
{
    public const int BlockSize = 32;
    public const int BlockBytes = 18;

    public static void Dequantize(byte* source, float* destination, long blocks)
    {
        sbyte* q = stackalloc sbyte[BlockSize];
        for (long b = 0; b < blocks; b++, source += BlockBytes, destination += BlockSize)
        {
            float d = FloatBits.HalfToSingle(Unsafe.ReadUnaligned<ushort>(source));
            Int8Scaling.SplitNibbles(source + 2, q, 8);
            Int8Scaling.Scale(q, d, destination, BlockSize);
        }
    }
}
