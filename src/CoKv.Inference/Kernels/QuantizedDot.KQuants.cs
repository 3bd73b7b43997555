using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CoKv.Gguf.Quantization;

namespace CoKv.Kernels;

/// <summary>
/// The K-quants (super-blocks of 256) against activations in Q8_K form (one scale per 256, sums per 16), as ggml's
/// vec_dot_q*_K_q8_K: the integer dots of a whole super-block, each weighted by its sub-block's integer scale
/// (pmaddwd), add up in int32 before one float multiply; the minimums go through the activation sums.
/// </summary>
public static unsafe partial class QuantizedDot
{
    /// <summary>
    /// Q4_K: per super-block f16 d and dmin, eight 6-bit scales and mins, 128 bytes of nibbles (each 32-byte run: the
    /// low nibbles are one sub-block, the high nibbles the next). value = d·sc·q − dmin·m.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q4_KxQ8K(byte* row, sbyte* xq, float* xScale, short* xSums, int n)
    {
        var total = Vector256<float>.Zero;
        var low = Vector256.Create((byte)0x0F);
        float mins = 0;
        for (int s = 0; s < n / 256; s++, row += Q4_K.BlockBytes, xq += 256, xSums += 16)
        {
            var sums = Vector256<int>.Zero;
            int minSum = 0;
            byte* q = row + 16;
            for (int j = 0; j < 8; j += 2, q += 32)
            {
                KScales.Get(j, row + 4, out int sc0, out int m0);
                KScales.Get(j + 1, row + 4, out int sc1, out int m1);
                var packed = Vector256.Load(q);
                var p0 = Avx2.MultiplyAddAdjacent(packed & low, Vector256.Load(xq + 32 * j));
                var p1 = Avx2.MultiplyAddAdjacent(Vector256.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & low, Vector256.Load(xq + 32 * j + 32));
                sums += Avx2.MultiplyAddAdjacent(p0, Vector256.Create((short)sc0)) + Avx2.MultiplyAddAdjacent(p1, Vector256.Create((short)sc1));
                minSum += m0 * (xSums[2 * j] + xSums[2 * j + 1]) + m1 * (xSums[2 * j + 2] + xSums[2 * j + 3]);
            }
            float dx = xScale[s];
            total = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sums), Vector256.Create(Half(row) * dx), total);
            mins += Half(row + 2) * dx * minSum;
        }
        return Vector256.Sum(total) - mins;
    }

    /// <summary>Q5_K: Q4_K with a fifth bit per value (bit j of byte l for value l of sub-block j).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q5_KxQ8K(byte* row, sbyte* xq, float* xScale, short* xSums, int n)
    {
        var total = Vector256<float>.Zero;
        var low = Vector256.Create((byte)0x0F);
        var sixteen = Vector256.Create((byte)16);
        float mins = 0;
        for (int s = 0; s < n / 256; s++, row += Q5_K.BlockBytes, xq += 256, xSums += 16)
        {
            var high = Vector256.Load(row + 16);
            var sums = Vector256<int>.Zero;
            int minSum = 0;
            byte* q = row + 48;
            for (int j = 0; j < 8; j += 2, q += 32)
            {
                KScales.Get(j, row + 4, out int sc0, out int m0);
                KScales.Get(j + 1, row + 4, out int sc1, out int m1);
                var packed = Vector256.Load(q);
                var bit0 = Vector256.Create((byte)(1 << j));
                var bit1 = Vector256.Create((byte)(2 << j));
                var w0 = (packed & low) | (Vector256.Equals(high & bit0, bit0) & sixteen);
                var w1 = (Vector256.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & low) | (Vector256.Equals(high & bit1, bit1) & sixteen);
                var p0 = Avx2.MultiplyAddAdjacent(w0, Vector256.Load(xq + 32 * j));
                var p1 = Avx2.MultiplyAddAdjacent(w1, Vector256.Load(xq + 32 * j + 32));
                sums += Avx2.MultiplyAddAdjacent(p0, Vector256.Create((short)sc0)) + Avx2.MultiplyAddAdjacent(p1, Vector256.Create((short)sc1));
                minSum += m0 * (xSums[2 * j] + xSums[2 * j + 1]) + m1 * (xSums[2 * j + 2] + xSums[2 * j + 3]);
            }
            float dx = xScale[s];
            total = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sums), Vector256.Create(Half(row) * dx), total);
            mins += Half(row + 2) * dx * minSum;
        }
        return Vector256.Sum(total) - mins;
    }

    /// <summary>
    /// Q6_K: per half of 128 values, 64 bytes of low nibbles, 32 bytes of 2-bit pairs, and an int8 scale per 16
    /// values; value = d·sc·(q − 32). Block k of a half takes the low (k &lt; 2) or high nibbles of byte run k mod 2
    /// and bits 2k, 2k+1 of the pairs; its two scales weight the integer dot's two halves.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q6_KxQ8K(byte* row, sbyte* xq, float* xScale, int n)
    {
        var total = Vector256<float>.Zero;
        var low = Vector256.Create((byte)0x0F);
        var pair = Vector256.Create((byte)0x03);
        var bias = Vector256.Create((byte)32);
        for (int s = 0; s < n / 256; s++, row += Q6_K.BlockBytes)
        {
            var sums = Vector256<int>.Zero;
            byte* ql = row;
            byte* qh = row + 128;
            sbyte* scales = (sbyte*)(row + 192);
            for (int half = 0; half < 2; half++, ql += 64, qh += 32, scales += 8)
            {
                var highBits = Vector256.Load(qh);
                for (int k = 0; k < 4; k++, xq += 32)
                {
                    var packed = Vector256.Load(ql + 32 * (k & 1));
                    var nibbles = k < 2 ? packed & low : Vector256.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & low;
                    var top = Vector256.ShiftLeft(Vector256.ShiftRightLogical(highBits.AsUInt16(), 2 * k).AsByte() & pair, 4);
                    var w = ((nibbles | top) - bias).AsSByte();
                    var products = Avx2.MultiplyAddAdjacent(Avx2.Abs(w), Avx2.Sign(Vector256.Load(xq), w));
                    var groupScales = Vector256.Create(Vector128.Create((short)scales[2 * k]), Vector128.Create((short)scales[2 * k + 1]));
                    sums += Avx2.MultiplyAddAdjacent(products, groupScales);
                }
            }
            total = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sums), Vector256.Create(Half(row + 208) * xScale[s]), total);
        }
        return Vector256.Sum(total);
    }

    /// <summary>
    /// x in Q8_K form, as ggml's quantize_row_q8_K: per 256 values one f32 scale d = max|x| / 127, q = round(x / d),
    /// and Σq per 16 values.
    /// </summary>
    public static void QuantizeActivationsK(float* x, int n, sbyte* q, float* scales, short* sums)
    {
        for (int b = 0; b < n / 256; b++)
        {
            float* block = x + b * 256;
            float amax = 0;
            for (int i = 0; i < 256; i++) amax = MathF.Max(amax, MathF.Abs(block[i]));
            float id = amax != 0 ? 127f / amax : 0f;
            scales[b] = amax / 127f;
            for (int g = 0; g < 16; g++)
            {
                int sum = 0;
                for (int i = 16 * g; i < 16 * g + 16; i++)
                {
                    var v = (sbyte)MathF.Round(block[i] * id, MidpointRounding.ToEven);
                    q[b * 256 + i] = v;
                    sum += v;
                }
                sums[b * 16 + g] = (short)sum;
            }
        }
    }
}
