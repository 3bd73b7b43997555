using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CoKv.Gguf.Quantization;

/// <summary>
/// The last step every block type shares: small integers (already unpacked to one byte each) times a scale, minus or
/// plus an offset, eight at a time with AVX2. Each value is computed as ggml does: float(q) · d, then − m or + m,
/// never fused, so the results are bit-identical to the scalar code.
/// </summary>
static unsafe class Int8Scaling
{
    /// <summary>destination[i] = q[i] · d, for <paramref name="count"/> (a multiple of 8) values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Scale(sbyte* q, float d, float* destination, int count)
    {
        if (Avx2.IsSupported)
        {
            var vd = Vector256.Create(d);
            for (int i = 0; i < count; i += 8)
                Avx.Store(destination + i, Avx.Multiply(Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(q + i)), vd));
            return;
        }
        for (int i = 0; i < count; i++) destination[i] = q[i] * d;
    }

    /// <summary>destination[i] = d · q[i] − m (the K types' scale and min).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScaleSubtract(sbyte* q, float d, float m, float* destination, int count)
    {
        if (Avx2.IsSupported)
        {
            var vd = Vector256.Create(d);
            var vm = Vector256.Create(m);
            for (int i = 0; i < count; i += 8)
                Avx.Store(destination + i, Avx.Subtract(Avx.Multiply(vd, Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(q + i))), vm));
            return;
        }
        for (int i = 0; i < count; i++) destination[i] = d * q[i] - m;
    }

    /// <summary>destination[i] = q[i] · d + m (Q4_1 and Q5_1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScaleAdd(sbyte* q, float d, float m, float* destination, int count)
    {
        if (Avx2.IsSupported)
        {
            var vd = Vector256.Create(d);
            var vm = Vector256.Create(m);
            for (int i = 0; i < count; i += 8)
                Avx.Store(destination + i, Avx.Add(Avx.Multiply(Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(q + i)), vd), vm));
            return;
        }
        for (int i = 0; i < count; i++) destination[i] = q[i] * d + m;
    }

    /// <summary>
    /// Splits 16 bytes into nibbles as <see cref="SplitNibbles"/> does, each replaced by its entry in a 16-entry table
    /// (IQ4_NL's and MXFP4's levels).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LookUpNibbles(byte* packed, Vector128<sbyte> table, sbyte* q)
    {
        var v = Vector128.Load(packed);
        var low = (v & Vector128.Create((byte)0x0F)).AsSByte();
        var high = Vector128.ShiftRightLogical(v, 4).AsSByte();
        if (Ssse3.IsSupported)
        {
            Vector128.Store(Ssse3.Shuffle(table, low), q);
            Vector128.Store(Ssse3.Shuffle(table, high), q + 16);
        }
        else
        {
            Vector128.Store(Vector128.Shuffle(table, low), q);
            Vector128.Store(Vector128.Shuffle(table, high), q + 16);
        }
    }

    /// <summary>
    /// The fifth bits of Q5_0 / Q5_1 as 0 or 16 per value: bit j of <paramref name="qh"/> for value j (32 values),
    /// stored at q[0..32).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FifthBits(uint qh, byte* q)
    {
        var bytes = Vector128.Create(qh).AsByte();
        var bit = Vector128.Create((byte)1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128);
        var sixteen = Vector128.Create((byte)16);
        var low = Vector128.Shuffle(bytes, Vector128.Create((byte)0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1));
        var high = Vector128.Shuffle(bytes, Vector128.Create((byte)2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3));
        Vector128.Store(~Vector128.Equals(low & bit, Vector128<byte>.Zero) & sixteen, q);
        Vector128.Store(~Vector128.Equals(high & bit, Vector128<byte>.Zero) & sixteen, q + 16);
    }

    /// <summary>Splits 16 bytes into their low nibbles (stored at q) and high nibbles (at q + 16), each minus <paramref name="offset"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SplitNibbles(byte* packed, sbyte* q, byte offset)
    {
        var v = Vector128.Load(packed);
        var mask = Vector128.Create((byte)0x0F);
        var off = Vector128.Create(offset);
        // Byte arithmetic wraps: (n − offset) mod 256 read as sbyte is n − offset for the ranges used here.
        Vector128.Store(((v & mask) - off).AsSByte(), q);
        Vector128.Store((Vector128.ShiftRightLogical(v, 4) - off).AsSByte(), q + 16);
    }
}
