using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using CoKv.Models;

namespace CoKv.Gguf.Quantization;

/// <summary>
/// ggml's IQ4_NL: 32 values in 18 bytes, an f16 scale d then 16 bytes of nibbles (laid out as in Q4_0) that index a
/// fixed non-linear table of 16 levels; value = d · level[q].
/// </summary>
public static unsafe class IQ4_NL
{
    public const int BlockSize = 32;
    public const int BlockBytes = 18;

    /// <summary>ggml's kvalues_iq4nl: the 16 levels shared by IQ4_NL and IQ4_XS.</summary>
    public static ReadOnlySpan<sbyte> Levels => [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113];

    public static void Dequantize(byte* source, float* destination, long blocks)
    {
        var table = Vector128.Create(Levels);
        sbyte* q = stackalloc sbyte[BlockSize];
        for (long b = 0; b < blocks; b++, source += BlockBytes, destination += BlockSize)
        {
            float d = FloatBits.HalfToSingle(Unsafe.ReadUnaligned<ushort>(source));
            Int8Scaling.LookUpNibbles(source + 2, table, q);
            Int8Scaling.Scale(q, d, destination, BlockSize);
        }
    }
}
