using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CoKv.Gguf.Quantization;

namespace CoKv.Kernels;

/// <summary>IQ4_NL (against Q8_0 activations) and IQ4_XS (against Q8_K): the nibbles index a 16-entry table of int8 levels (pshufb).</summary>
public static unsafe partial class QuantizedDot
{
    /// <summary>IQ4_NL: per block of 32 an f16 d and 16 bytes of nibbles; value = d · level[q].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float IQ4_NLxQ8(byte* row, sbyte* xq, float* xScale, int n)
    {
        Vector256<float> even = Vector256<float>.Zero, odd = Vector256<float>.Zero;
        var table = Levels();
        int blocks = n / 32, b = 0;
        for (; b + 1 < blocks; b += 2, row += 2 * IQ4_NL.BlockBytes, xq += 64)
        {
            even = AddBlock(even, Avx2.Shuffle(table, Nibbles(row + 2)).AsSByte(), xq, row, xScale[b]);
            odd = AddBlock(odd, Avx2.Shuffle(table, Nibbles(row + IQ4_NL.BlockBytes + 2)).AsSByte(), xq + 32, row + IQ4_NL.BlockBytes, xScale[b + 1]);
        }
        if (b < blocks) even = AddBlock(even, Avx2.Shuffle(table, Nibbles(row + 2)).AsSByte(), xq, row, xScale[b]);
        return Vector256.Sum(even + odd);
    }

    /// <summary>
    /// IQ4_XS against Q8_K activations, as ggml's vec_dot_iq4_xs_q8_K: per super-block of 256 an f16 d and a 6-bit
    /// scale s per sub-block of 32; value = d·(s − 32)·level[q]. The eight scales are unpacked at once, the dots weighted
    /// by them in int32 (pmaddwd), and one float multiply per super-block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float IQ4_XSxQ8K(byte* row, sbyte* xq, float* xScale, int n)
    {
        var total = Vector256<float>.Zero;
        var table = Levels();
        for (int s = 0; s < n / 256; s++, row += IQ4_XS.BlockBytes, xq += 256)
        {
            var scales = XsScales(Unsafe.ReadUnaligned<uint>(row + 4), Unsafe.ReadUnaligned<ushort>(row + 2));
            byte* q = row + 8;
            var sums = XsPair(q, xq, table, scales, 0) + XsPair(q + 32, xq + 64, table, scales, 2)
                + XsPair(q + 64, xq + 128, table, scales, 4) + XsPair(q + 96, xq + 192, table, scales, 6);
            total = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sums), Vector256.Create(Half(row) * xScale[s]), total);
        }
        return Vector256.Sum(total);
    }

    /// <summary>
    /// The eight signed scales s − 32 as int16, repeated in both 128-bit lanes: four low bits per sub-block from
    /// nibble j of <paramref name="low"/>, two high bits from bits 2j, 2j + 1 of <paramref name="high"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<short> XsScales(uint low, uint high)
    {
        var lowBits = Avx2.ShiftRightLogicalVariable(Vector256.Create(low), Vector256.Create(0u, 4, 8, 12, 16, 20, 24, 28)) & Vector256.Create(0x0Fu);
        var highBits = Avx2.ShiftRightLogicalVariable(Vector256.Create(high), Vector256.Create(0u, 2, 4, 6, 8, 10, 12, 14)) & Vector256.Create(3u);
        var scales = ((lowBits | (highBits << 4)).AsInt32() - Vector256.Create(32));
        // Packed per lane to [s0..s3 s0..s3 | s4..s7 s4..s7]; qwords 0 and 2 put s0..s7 in each lane.
        var packed = Avx2.PackSignedSaturate(scales, scales);
        return Avx2.Permute4x64(packed.AsInt64(), 0b10_00_10_00).AsInt16();
    }

    /// <summary>Sub-blocks j and j + 1 (16 bytes of nibbles each) through the level table, weighted by their scales.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<int> XsPair(byte* q, sbyte* xq, Vector256<byte> table, Vector256<short> scales, int j)
    {
        var w0 = Avx2.Shuffle(table, Nibbles(q)).AsSByte();
        var w1 = Avx2.Shuffle(table, Nibbles(q + 16)).AsSByte();
        var p0 = Avx2.MultiplyAddAdjacent(Avx2.Abs(w0), Avx2.Sign(Vector256.Load(xq), w0));
        var p1 = Avx2.MultiplyAddAdjacent(Avx2.Abs(w1), Avx2.Sign(Vector256.Load(xq + 32), w1));
        return Avx2.MultiplyAddAdjacent(p0, SubBlockScale(scales, j)) + Avx2.MultiplyAddAdjacent(p1, SubBlockScale(scales, j + 1));
    }

    /// <summary>The levels in both 128-bit lanes, as pshufb looks up within each lane.</summary>
    static Vector256<byte> Levels()
    {
        var levels = Vector128.Create(IQ4_NL.Levels).AsByte();
        return Vector256.Create(levels, levels);
    }
}
