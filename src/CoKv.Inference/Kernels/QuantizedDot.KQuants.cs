using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CoKv.Gguf.Quantization;

namespace CoKv.Kernels;

/// <summary>
/// The K-quants (super-blocks of 256) against activations in Q8_0 blocks of 32. ggml pairs them with Q8_K (one scale
/// per 256); one scale per 32 is at least as precise and lets every type share one quantized input per product, so a
/// K-quant sub-block of 32 meets exactly one activation block.
/// </summary>
public static unsafe partial class QuantizedDot
{
    /// <summary>
    /// Q4_K: per super-block f16 d and dmin, eight 6-bit scales and mins, 128 bytes of nibbles (each 32-byte run: the
    /// low nibbles are one sub-block, the high nibbles the next). value = d·sc·q − dmin·m, so a sub-block contributes
    /// d·sc·d_x·Σ q·x_q − dmin·m·(d_x·Σ x_q), the second factor being the activation block's sum.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q4_KxQ8(byte* row, sbyte* xq, float* xScale, float* xSum, int n)
    {
        var total = Vector256<float>.Zero;
        var low = Vector256.Create((byte)0x0F);
        float mins = 0;
        for (int s = 0; s < n / 256; s++, row += Q4_K.BlockBytes)
        {
            float d = Half(row), dmin = Half(row + 2);
            byte* q = row + 16;
            float blockMins = 0;
            for (int j = 0; j < 8; j += 2, q += 32, xq += 64, xScale += 2, xSum += 2)
            {
                KScales.Get(j, row + 4, out int sc0, out int m0);
                KScales.Get(j + 1, row + 4, out int sc1, out int m1);
                var packed = Vector256.Load(q);
                total = AddUnsigned(total, packed & low, xq, d * sc0 * xScale[0]);
                total = AddUnsigned(total, Vector256.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & low, xq + 32, d * sc1 * xScale[1]);
                blockMins += m0 * xSum[0] + m1 * xSum[1];
            }
            mins += dmin * blockMins;
        }
        return Vector256.Sum(total) - mins;
    }

    /// <summary>Q5_K: Q4_K with a fifth bit per value (bit j of byte l for value l of sub-block j).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q5_KxQ8(byte* row, sbyte* xq, float* xScale, float* xSum, int n)
    {
        var total = Vector256<float>.Zero;
        var low = Vector256.Create((byte)0x0F);
        var sixteen = Vector256.Create((byte)16);
        float mins = 0;
        for (int s = 0; s < n / 256; s++, row += Q5_K.BlockBytes)
        {
            float d = Half(row), dmin = Half(row + 2);
            var high = Vector256.Load(row + 16);
            byte* q = row + 48;
            float blockMins = 0;
            for (int j = 0; j < 8; j += 2, q += 32, xq += 64, xScale += 2, xSum += 2)
            {
                KScales.Get(j, row + 4, out int sc0, out int m0);
                KScales.Get(j + 1, row + 4, out int sc1, out int m1);
                var packed = Vector256.Load(q);
                var bit0 = Vector256.Create((byte)(1 << j));
                var bit1 = Vector256.Create((byte)(2 << j));
                var w0 = (packed & low) | (Vector256.Equals(high & bit0, bit0) & sixteen);
                var w1 = (Vector256.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & low) | (Vector256.Equals(high & bit1, bit1) & sixteen);
                total = AddUnsigned(total, w0, xq, d * sc0 * xScale[0]);
                total = AddUnsigned(total, w1, xq + 32, d * sc1 * xScale[1]);
                blockMins += m0 * xSum[0] + m1 * xSum[1];
            }
            mins += dmin * blockMins;
        }
        return Vector256.Sum(total) - mins;
    }

    /// <summary>
    /// Q6_K: per half of 128 values, 64 bytes of low nibbles, 32 bytes of 2-bit pairs, and an int8 scale per 16
    /// values; value = d·sc·(q − 32). Activation block k of a half takes the low (k &lt; 2) or high nibbles of byte
    /// run k mod 2 and bits 2k, 2k+1 of the pairs; its two scales multiply the integer dot's two halves (pmaddwd).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q6_KxQ8(byte* row, sbyte* xq, float* xScale, int n)
    {
        var total = Vector256<float>.Zero;
        var low = Vector256.Create((byte)0x0F);
        var pair = Vector256.Create((byte)0x03);
        var bias = Vector256.Create((byte)32);
        for (int s = 0; s < n / 256; s++, row += Q6_K.BlockBytes)
        {
            float d = Half(row + 208);
            byte* ql = row;
            byte* qh = row + 128;
            sbyte* scales = (sbyte*)(row + 192);
            for (int half = 0; half < 2; half++, ql += 64, qh += 32, scales += 8)
            {
                var highBits = Vector256.Load(qh);
                for (int k = 0; k < 4; k++, xq += 32, xScale++)
                {
                    var packed = Vector256.Load(ql + 32 * (k & 1));
                    var nibbles = k < 2 ? packed & low : Vector256.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & low;
                    var top = Vector256.ShiftLeft(Vector256.ShiftRightLogical(highBits.AsUInt16(), 2 * k).AsByte() & pair, 4);
                    var w = ((nibbles | top) - bias).AsSByte();
                    var products = Avx2.MultiplyAddAdjacent(Avx2.Abs(w), Avx2.Sign(Vector256.Load(xq), w));
                    var groupScales = Vector256.Create(Vector128.Create((short)scales[2 * k]), Vector128.Create((short)scales[2 * k + 1]));
                    var sums = Avx2.MultiplyAddAdjacent(products, groupScales);
                    total = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sums), Vector256.Create(d * xScale[0]), total);
                }
            }
        }
        return Vector256.Sum(total);
    }
}
