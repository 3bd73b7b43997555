using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CoKv.Kernels;

/// <summary>Dot products of one quantized row with an f32 vector, block by block, without writing the row out.</summary>
public static unsafe class QuantizedDot
{
    /// <summary>Q8_0: blocks of an f16 scale and 32 int8 values.</summary>
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
}
