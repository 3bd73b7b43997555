using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CoKv.Gguf.Quantization;

namespace CoKv.Kernels;

/// <summary>IQ4_NL and IQ4_XS against Q8_0 activations: the nibbles index a 16-entry table of int8 levels (pshufb).</summary>
public static unsafe partial class QuantizedDot
{
    /// <summary>IQ4_NL: per block of 32 an f16 d and 16 bytes of nibbles; value = d · level[q].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float IQ4_NLxQ8(byte* row, sbyte* xq, float* xScale, int n)
    {
        var total = Vector256<float>.Zero;
        var table = Levels();
        for (int b = 0; b < n / 32; b++, row += IQ4_NL.BlockBytes, xq += 32)
            total = AddBlock(total, Avx2.Shuffle(table, Nibbles(row + 2)).AsSByte(), xq, row, xScale[b]);
        return Vector256.Sum(total);
    }

    /// <summary>IQ4_XS: per super-block of 256 an f16 d and a 6-bit scale s per sub-block of 32; value = d·(s − 32)·level[q].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float IQ4_XSxQ8(byte* row, sbyte* xq, float* xScale, int n)
    {
        var total = Vector256<float>.Zero;
        var table = Levels();
        for (int s = 0; s < n / 256; s++, row += IQ4_XS.BlockBytes)
        {
            float d = Half(row);
            int scalesHigh = Unsafe.ReadUnaligned<ushort>(row + 2);
            byte* q = row + 8;
            for (int sub = 0; sub < 8; sub++, q += 16, xq += 32, xScale++)
            {
                int scale = ((row[4 + sub / 2] >> (4 * (sub % 2))) & 0x0F) | (((scalesHigh >> (2 * sub)) & 3) << 4);
                total = AddSigned(total, Avx2.Shuffle(table, Nibbles(q)).AsSByte(), xq, d * (scale - 32) * xScale[0]);
            }
        }
        return Vector256.Sum(total);
    }

    /// <summary>The levels in both 128-bit lanes, as pshufb looks up within each lane.</summary>
    static Vector256<byte> Levels()
    {
        var levels = Vector128.Create(IQ4_NL.Levels).AsByte();
        return Vector256.Create(levels, levels);
    }
}
