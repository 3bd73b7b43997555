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
        var mins = Vector256<float>.Zero;
        for (int s = 0; s < n / 256; s++, row += Q4_K.BlockBytes, xq += 256, xSums += 16)
        {
            var (scales, minSums) = ScalesAndMins(row + 4, xSums);
            // Unrolled: constant offsets and patterns (the loop's index arithmetic and bounds checks cost as much as
            // its vector work).
            byte* q = row + 16;
            var sums = Q4Pair(Vector256.Load(q), xq, scales, 0) + Q4Pair(Vector256.Load(q + 32), xq + 64, scales, 2)
                + Q4Pair(Vector256.Load(q + 64), xq + 128, scales, 4) + Q4Pair(Vector256.Load(q + 96), xq + 192, scales, 6);
            float dx = xScale[s];
            total = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sums), Vector256.Create(Half(row) * dx), total);
            mins = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(minSums), Vector256.Create(Half(row + 2) * dx), mins);
        }
        return Vector256.Sum(total - mins);
    }

    /// <summary>Q5_K: Q4_K with a fifth bit per value (bit j of byte l for value l of sub-block j).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q5_KxQ8K(byte* row, sbyte* xq, float* xScale, short* xSums, int n)
    {
        var total = Vector256<float>.Zero;
        var mins = Vector256<float>.Zero;
        for (int s = 0; s < n / 256; s++, row += Q5_K.BlockBytes, xq += 256, xSums += 16)
        {
            var (scales, minSums) = ScalesAndMins(row + 4, xSums);
            // Bit j of each byte belongs to sub-block j: shifted down two places per pair, bits 0 and 1 serve it.
            var high = Vector256.Load(row + 16);
            byte* q = row + 48;
            var sums = Q5Pair(Vector256.Load(q), high, xq, scales, 0)
                + Q5Pair(Vector256.Load(q + 32), Vector256.ShiftRightLogical(high.AsUInt16(), 2).AsByte(), xq + 64, scales, 2)
                + Q5Pair(Vector256.Load(q + 64), Vector256.ShiftRightLogical(high.AsUInt16(), 4).AsByte(), xq + 128, scales, 4)
                + Q5Pair(Vector256.Load(q + 96), Vector256.ShiftRightLogical(high.AsUInt16(), 6).AsByte(), xq + 192, scales, 6);
            float dx = xScale[s];
            total = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sums), Vector256.Create(Half(row) * dx), total);
            mins = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(minSums), Vector256.Create(Half(row + 2) * dx), mins);
        }
        return Vector256.Sum(total - mins);
    }

    /// <summary>Sub-blocks j and j + 1 of Q4_K: one 32-byte run, low nibbles then high, each dot weighted by its scale.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<int> Q4Pair(Vector256<byte> packed, sbyte* xq, Vector256<short> scales, int j)
    {
        var low = Vector256.Create((byte)0x0F);
        var p0 = Avx2.MultiplyAddAdjacent(packed & low, Vector256.Load(xq));
        var p1 = Avx2.MultiplyAddAdjacent(Vector256.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & low, Vector256.Load(xq + 32));
        return Avx2.MultiplyAddAdjacent(p0, SubBlockScale(scales, j)) + Avx2.MultiplyAddAdjacent(p1, SubBlockScale(scales, j + 1));
    }

    /// <summary>Q4Pair with the fifth bits: bit 0 of <paramref name="high"/>'s bytes for sub-block j, bit 1 for j + 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<int> Q5Pair(Vector256<byte> packed, Vector256<byte> high, sbyte* xq, Vector256<short> scales, int j)
    {
        var low = Vector256.Create((byte)0x0F);
        var sixteen = Vector256.Create((byte)16);
        var w0 = (packed & low) | (Vector256.ShiftLeft(high.AsUInt16(), 4).AsByte() & sixteen);
        var w1 = (Vector256.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & low) | (Vector256.ShiftLeft(high.AsUInt16(), 3).AsByte() & sixteen);
        var p0 = Avx2.MultiplyAddAdjacent(w0, Vector256.Load(xq));
        var p1 = Avx2.MultiplyAddAdjacent(w1, Vector256.Load(xq + 32));
        return Avx2.MultiplyAddAdjacent(p0, SubBlockScale(scales, j)) + Avx2.MultiplyAddAdjacent(p1, SubBlockScale(scales, j + 1));
    }

    /// <summary>
    /// Q4_K/Q5_K's twelve bytes of 6-bit scales and mins unpacked at once (four 32-bit operations instead of eight
    /// scalar extractions): the eight scales as int16 in both 128-bit lanes, for <see cref="SubBlockScale"/>, and
    /// m_j · Σx over each sub-block of 32 as eight int32 (one pmaddwd against the activation sums per 16).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static (Vector256<short> Scales, Vector256<int> MinSums) ScalesAndMins(byte* packed, short* xSums)
    {
        uint a = Unsafe.ReadUnaligned<uint>(packed), b = Unsafe.ReadUnaligned<uint>(packed + 4), c = Unsafe.ReadUnaligned<uint>(packed + 8);
        // Sub-blocks 0–3 keep their six bits in bytes 0–3 (scales) and 4–7 (mins); 4–7 take four bits from bytes
        // 8–11 and their top two from the top bits of bytes 0–3 and 4–7.
        ulong scales = (a & 0x3F3F3F3F) | (ulong)((c & 0x0F0F0F0F) | ((a >> 6) & 0x03030303) << 4) << 32;
        ulong mins = (b & 0x3F3F3F3F) | (ulong)(((c >> 4) & 0x0F0F0F0F) | ((b >> 6) & 0x03030303) << 4) << 32;
        var scales16 = Sse41.ConvertToVector128Int16(Vector128.CreateScalar(scales).AsByte());
        // Each min twice, against the two sums of 16 of its sub-block.
        var minsTwice = Avx2.ConvertToVector256Int16(Ssse3.Shuffle(Vector128.CreateScalar(mins).AsByte(), Vector128.Create((byte)0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7)));
        return (Vector256.Create(scales16, scales16), Avx2.MultiplyAddAdjacent(minsTwice, Vector256.Load(xSums)));
    }

    /// <summary>One Q6_K block of 32: (nibbles | top bits · 16) · x, each half of 16 weighted by its scale.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<int> Q6Block(Vector256<byte> nibbles, Vector256<byte> topBits, sbyte* xq, Vector256<byte> scales, int pattern)
    {
        var products = Avx2.MultiplyAddAdjacent(nibbles | Vector256.ShiftLeft(topBits.AsUInt16(), 4).AsByte(), Vector256.Load(xq));
        return Avx2.MultiplyAddAdjacent(products, Avx2.Shuffle(scales, Vector256.Load(Pattern(pattern))).AsInt16());
    }

    /// <summary>Scale j (of eight int16 repeated in each lane) in all sixteen lanes: one pshufb.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<short> SubBlockScale(Vector256<short> scales, int j) =>
        Avx2.Shuffle(scales.AsByte(), Vector256.Load(Pattern(j))).AsInt16();

    /// <summary>
    /// pshufb patterns, 32 bytes each. 0–7: int16 j in every lane (Q4_K/Q5_K's sub-block scales); 8–11: int16 2k in
    /// the low half and 2k + 1 in the high half (Q6_K's scales per 16). A table rather than Vector256.Create: a
    /// pattern built from a loop variable is assembled byte by byte at run time.
    /// </summary>
    static ReadOnlySpan<byte> ScalePatterns =>
    [
        0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,
        2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3,
        4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5,
        6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7,
        8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9,
        10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11,
        12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13,
        14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15,
        0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3,
        4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7,
        8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 8, 9, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11,
        12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 12, 13, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15,
    ];

    /// <summary>Pattern i of <see cref="ScalePatterns"/> (static data of the image: it never moves, so no pinning).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static byte* Pattern(int i) => (byte*)Unsafe.AsPointer(ref Unsafe.AsRef(in ScalePatterns[32 * i]));

    /// <summary>
    /// Q6_K: per half of 128 values, 64 bytes of low nibbles, 32 bytes of 2-bit pairs, and an int8 scale per 16
    /// values; value = d·sc·(q − 32). Block k of a half takes the low (k &lt; 2) or high nibbles of byte run k mod 2
    /// and bits 2k, 2k+1 of the pairs; its two scales weight the integer dot's two halves. The − 32 is not applied
    /// per weight: q in 0–63 goes to pmaddubsw unsigned, and 32 · Σ sc·Σx comes off once per super-block from the
    /// activation sums per 16.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q6_KxQ8K(byte* row, sbyte* xq, float* xScale, short* xSums, int n)
    {
        var total = Vector256<float>.Zero;
        var low = Vector256.Create((byte)0x0F);
        var pair = Vector256.Create((byte)0x03);
        for (int s = 0; s < n / 256; s++, row += Q6_K.BlockBytes, xSums += 16)
        {
            byte* ql = row;
            byte* qh = row + 128;
            var allScales = Avx2.ConvertToVector256Int16(Vector128.Load((sbyte*)(row + 192)));
            var sums = -Vector256.ShiftLeft(Avx2.MultiplyAddAdjacent(allScales, Vector256.Load(xSums)), 5);
            for (int half = 0; half < 2; half++, ql += 64, qh += 32, xq += 128)
            {
                // This half's eight scales in both lanes; block k takes scale 2k in lane 0 and 2k + 1 in lane 1.
                var scales8 = half == 0 ? allScales.GetLower() : allScales.GetUpper();
                var scales = Vector256.Create(scales8, scales8).AsByte();
                var highBits = Vector256.Load(qh);
                var run0 = Vector256.Load(ql);
                var run1 = Vector256.Load(ql + 32);
                // Unrolled so that every shift count and pattern is a constant.
                sums += Q6Block(run0 & low, highBits & pair, xq, scales, 8);
                sums += Q6Block(run1 & low, Vector256.ShiftRightLogical(highBits.AsUInt16(), 2).AsByte() & pair, xq + 32, scales, 9);
                sums += Q6Block(Vector256.ShiftRightLogical(run0.AsUInt16(), 4).AsByte() & low, Vector256.ShiftRightLogical(highBits.AsUInt16(), 4).AsByte() & pair, xq + 64, scales, 10);
                sums += Q6Block(Vector256.ShiftRightLogical(run1.AsUInt16(), 4).AsByte() & low, Vector256.ShiftRightLogical(highBits.AsUInt16(), 6).AsByte() & pair, xq + 96, scales, 11);
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
