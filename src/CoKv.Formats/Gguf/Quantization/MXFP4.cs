using System.Runtime.Intrinsics;

namespace CoKv.Gguf.Quantization;

/// <summary>
/// MXFP4 (OCP microscaling FP4, as ggml stores it): 32 values in 17 bytes, an E8M0 exponent byte e then 16 bytes of
/// FP4 (E2M1) nibbles laid out as in Q4_0; value = level[q] · 2^(e − 128), with ggml's levels doubled so that they are
/// integers and the scale halved to match.
/// </summary>
public static unsafe class MXFP4
{
    public const int BlockSize = 32;
    public const int BlockBytes = 17;

    /// <summary>ggml's kvalues_mxfp4: E2M1 values times two.</summary>
    public static ReadOnlySpan<sbyte> Levels => [0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12];

    /// <summary>2^(e − 128) as ggml computes it: subnormal bit patterns for e &lt; 2.</summary>
    public static float HalfScale(byte e) =>
        BitConverter.UInt32BitsToSingle(e < 2 ? 0x00200000u << e : (uint)(e - 1) << 23);

    public static void Dequantize(byte* source, float* destination, long blocks)
    {
        var table = Vector128.Create(Levels);
        sbyte* q = stackalloc sbyte[BlockSize];
        for (long b = 0; b < blocks; b++, source += BlockBytes, destination += BlockSize)
        {
            float d = HalfScale(source[0]);
            Int8Scaling.LookUpNibbles(source + 1, table, q);
            Int8Scaling.Scale(q, d, destination, BlockSize);
        }
    }
}
