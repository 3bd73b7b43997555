using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CoKv.Kernels;

/// <summary>Dot products of one quantized row with a vector, block by block, without writing the row out.</summary>
public static unsafe partial class QuantizedDot
{
    /// <summary>Q8_0 × f32: blocks of an f16 scale and 32 int8 values against f32 activations (the portable path).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q8_0(byte* row, float* x, int n)
    {
        var total = Vector256<float>.Zero;
        for (int b = 0; b < n; b += 32, row += 34, x += 32)
        {
            float d = (float)BitConverter.UInt16BitsToHalf(Unsafe.ReadUnaligned<ushort>(row));
            var q = Vector256.Load((sbyte*)(row + 2));
            // int8 → int16 → int32 → f32, 8 lanes at a time.
            var (lo16, hi16) = Vector256.Widen(q);
            var (a, b1) = Vector256.Widen(lo16);
            var (c, e) = Vector256.Widen(hi16);
            var sum = Vector256.ConvertToSingle(a) * Vector256.Load(x);
            sum = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(b1), Vector256.Load(x + 8), sum);
            sum = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(c), Vector256.Load(x + 16), sum);
            sum = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(e), Vector256.Load(x + 24), sum);
            total = Vector256.FusedMultiplyAdd(sum, Vector256.Create(d), total);
        }
        return Vector256.Sum(total);
    }

    /// <summary>
    /// Q8_0 × Q8_0, as ggml's CPU backend computes it: the activations quantized to int8 blocks once per product
    /// (<see cref="QuantizeActivations"/>), then per block one integer dot of 32 pairs and one float multiply by both
    /// scales. Half the instructions of widening every weight to f32, and the same rounding llama.cpp applies.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q8_0xQ8(byte* row, sbyte* xq, float* xScale, int n)
    {
        // Two accumulators, so that consecutive blocks' FMAs do not wait on each other's latency.
        Vector256<float> even = Vector256<float>.Zero, odd = Vector256<float>.Zero;
        int blocks = n / 32, b = 0;
        for (; b + 1 < blocks; b += 2, row += 68, xq += 64)
        {
            even = AddBlock(even, Vector256.Load((sbyte*)(row + 2)), xq, row, xScale[b]);
            odd = AddBlock(odd, Vector256.Load((sbyte*)(row + 36)), xq + 32, row + 34, xScale[b + 1]);
        }
        if (b < blocks) even = AddBlock(even, Vector256.Load((sbyte*)(row + 2)), xq, row, xScale[b]);
        return Vector256.Sum(even + odd);
    }

    /// <summary>
    /// Q5_0 × Q8_0 (ggml's vec_dot_q5_0_q8_0): per block an f16 scale, 32 high bits and 16 bytes of low nibbles; each
    /// weight is (nibble | high bit · 16) − 16, an int8 the same integer dot as Q8_0 takes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q5_0xQ8(byte* row, sbyte* xq, float* xScale, int n)
    {
        Vector256<float> even = Vector256<float>.Zero, odd = Vector256<float>.Zero;
        int blocks = n / 32, b = 0;
        for (; b + 1 < blocks; b += 2, row += 44, xq += 64)
        {
            even = AddBlock(even, Q5_0Weights(row), xq, row, xScale[b]);
            odd = AddBlock(odd, Q5_0Weights(row + 22), xq + 32, row + 22, xScale[b + 1]);
        }
        if (b < blocks) even = AddBlock(even, Q5_0Weights(row), xq, row, xScale[b]);
        return Vector256.Sum(even + odd);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<sbyte> Q5_0Weights(byte* block)
    {
        var sixteen = Vector256.Create((byte)16);
        return ((Nibbles(block + 6) | (FifthBits(Unsafe.ReadUnaligned<uint>(block + 2)) & sixteen)) - sixteen).AsSByte();
    }

    /// <summary>Q5_1 × Q8_1: as Q5_0 with unsigned weights and an f16 minimum m per block: value = d · q + m.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q5_1xQ8(byte* row, sbyte* xq, float* xScale, float* xSum, int n)
    {
        Vector256<float> even = Vector256<float>.Zero, odd = Vector256<float>.Zero;
        float mins = 0;
        int blocks = n / 32, b = 0;
        for (; b + 1 < blocks; b += 2, row += 48, xq += 64)
        {
            even = AddUnsigned(even, Q5_1Weights(row), xq, Half(row) * xScale[b]);
            odd = AddUnsigned(odd, Q5_1Weights(row + 24), xq + 32, Half(row + 24) * xScale[b + 1]);
            mins += Half(row + 2) * xSum[b] + Half(row + 26) * xSum[b + 1];
        }
        if (b < blocks)
        {
            even = AddUnsigned(even, Q5_1Weights(row), xq, Half(row) * xScale[b]);
            mins += Half(row + 2) * xSum[b];
        }
        return Vector256.Sum(even + odd) + mins;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<byte> Q5_1Weights(byte* block) =>
        Nibbles(block + 8) | (FifthBits(Unsafe.ReadUnaligned<uint>(block + 4)) & Vector256.Create((byte)16));

    /// <summary>Q4_1 × Q8_1: per block f16 d, f16 m and 16 bytes of nibbles; value = d · q + m.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q4_1xQ8(byte* row, sbyte* xq, float* xScale, float* xSum, int n)
    {
        Vector256<float> even = Vector256<float>.Zero, odd = Vector256<float>.Zero;
        float mins = 0;
        int blocks = n / 32, b = 0;
        for (; b + 1 < blocks; b += 2, row += 40, xq += 64)
        {
            even = AddUnsigned(even, Nibbles(row + 4), xq, Half(row) * xScale[b]);
            odd = AddUnsigned(odd, Nibbles(row + 24), xq + 32, Half(row + 20) * xScale[b + 1]);
            mins += Half(row + 2) * xSum[b] + Half(row + 22) * xSum[b + 1];
        }
        if (b < blocks)
        {
            even = AddUnsigned(even, Nibbles(row + 4), xq, Half(row) * xScale[b]);
            mins += Half(row + 2) * xSum[b];
        }
        return Vector256.Sum(even + odd) + mins;
    }

    /// <summary>Q4_0 × Q8_0: per block an f16 scale and 16 bytes of nibbles; each weight is nibble − 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q4_0xQ8(byte* row, sbyte* xq, float* xScale, int n)
    {
        Vector256<float> even = Vector256<float>.Zero, odd = Vector256<float>.Zero;
        var eight = Vector256.Create((byte)8);
        int blocks = n / 32, b = 0;
        for (; b + 1 < blocks; b += 2, row += 36, xq += 64)
        {
            even = AddBlock(even, (Nibbles(row + 2) - eight).AsSByte(), xq, row, xScale[b]);
            odd = AddBlock(odd, (Nibbles(row + 20) - eight).AsSByte(), xq + 32, row + 18, xScale[b + 1]);
        }
        if (b < blocks) even = AddBlock(even, (Nibbles(row + 2) - eight).AsSByte(), xq, row, xScale[b]);
        return Vector256.Sum(even + odd);
    }

    /// <summary>
    /// total + (weights · activations) · d_w · d_x for one block of 32 int8 pairs; d_w is the block's leading f16.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> AddBlock(Vector256<float> total, Vector256<sbyte> w, sbyte* xq, byte* block, float xScale) =>
        AddSigned(total, w, xq, Half(block) * xScale);

    /// <summary>total + (w · xq) · scale for 32 signed weights. maddubs wants unsigned × signed: |w| × (a · sign(w)) is the same product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> AddSigned(Vector256<float> total, Vector256<sbyte> w, sbyte* xq, float scale) =>
        AddPairs(total, Avx2.MultiplyAddAdjacent(Avx2.Abs(w), Avx2.Sign(Vector256.Load(xq), w)), scale);

    /// <summary>total + (w · xq) · scale for 32 weights in 0–127 (no sign trick needed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> AddUnsigned(Vector256<float> total, Vector256<byte> w, sbyte* xq, float scale) =>
        AddPairs(total, Avx2.MultiplyAddAdjacent(w, Vector256.Load(xq)), scale);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> AddPairs(Vector256<float> total, Vector256<short> products, float scale)
    {
        var sums = Avx2.MultiplyAddAdjacent(products, Vector256.Create((short)1));
        return Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sums), Vector256.Create(scale), total);
    }

    /// <summary>16 bytes of packed nibbles as 32 bytes: the low nibbles (values 0–15), then the high ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<byte> Nibbles(byte* packed)
    {
        var qs = Vector128.Load(packed);
        var low = Vector128.Create((byte)0x0F);
        return Vector256.Create(qs & low, Vector128.ShiftRightLogical(qs.AsUInt16(), 4).AsByte() & low);
    }

    /// <summary>
    /// 0xFF in byte i where bit i of <paramref name="bits"/> is set. Byte i of the shuffle repeats byte i / 8 of the
    /// word; OR-ing all bits but bit i % 8 and comparing with all ones leaves 0xFF exactly where that bit is set.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<byte> FifthBits(uint bits)
    {
        var spread = Vector256.Create((byte)0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
        var others = Vector256.Create(0x7fbfdfeff7fbfdfeUL).AsByte();
        return Vector256.Equals(Avx2.Shuffle(Vector256.Create(bits).AsByte(), spread) | others, Vector256<byte>.AllBitsSet);
    }

    /// <summary>
    /// An f16 as f32 by table, as ggml does (its comment: faster than F16C). .NET's (float)Half is a software routine
    /// with branches, and the legacy types take one per 32 weights: it cost as much as the block's dot.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Half(byte* at) => HalfTable[Unsafe.ReadUnaligned<ushort>(at)];

    /// <summary>Every f16 bit pattern's f32 value (256 KiB, made once per process).</summary>
    static readonly float* HalfTable = MakeHalfTable();

    static float* MakeHalfTable()
    {
        var table = (float*)NativeMemory.AlignedAlloc(65536 * sizeof(float), 64);
        for (int i = 0; i < 65536; i++) table[i] = (float)BitConverter.UInt16BitsToHalf((ushort)i);
        return table;
    }

    /// <summary>Whether <see cref="Q8_0xQ8"/> can run here (AVX2).</summary>
    public static bool HasInt8Dot => Avx2.IsSupported;

    /// <summary>
    /// x in int8 blocks of 32 with one scale each, as ggml's quantize_row_q8_0: d = max|x| / 127, q = round(x · 127 / max|x|);
    /// <paramref name="sums"/> gets d · Σq per block rounded to f16 (ggml's Q8_1 s), which the types with a per-block minimum need.
    /// </summary>
    public static void QuantizeActivations(float* x, int n, sbyte* q, float* scales, float* sums)
    {
        for (int b = 0; b < n / 32; b++)
        {
            float* block = x + b * 32;
            float amax = 0;
            for (int i = 0; i < 32; i++) amax = MathF.Max(amax, MathF.Abs(block[i]));
            float d = amax / 127f;
            // As ggml's AVX2 quantize_row_q8_0: 127 / max (not 1 / d) and ties to even (_mm256_round_ps): a random
            // model amplifies every int8 that rounds the other way, so the rounding follows llama.cpp's exactly.
            float id = amax != 0 ? 127f / amax : 0f;
            // ggml stores the activation scale as f16 too; the product uses that rounded value.
            scales[b] = (float)(Half)d;
            int sum = 0;
            for (int i = 0; i < 32; i++)
            {
                var v = (sbyte)MathF.Round(block[i] * id, MidpointRounding.ToEven);
                q[b * 32 + i] = v;
                sum += v;
            }
            // As ggml's Q8_1 s: the unrounded d times Σq, stored as f16.
            sums[b] = (float)(Half)(d * sum);
        }
    }
}
