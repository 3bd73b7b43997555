using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CoKv.Kernels;

/// <summary>f32 dot products of several weight rows with one vector.</summary>
public static unsafe class MatVecF32
{
    /// <summary>y[0..3] = rows[0..3] · x, where the four rows start <paramref name="n"/> floats apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dot4(float* rows, int n, float* x, float* y)
    {
        float* r0 = rows, r1 = rows + n, r2 = rows + 2 * n, r3 = rows + 3 * n;
        var s0 = Vector256<float>.Zero;
        var s1 = Vector256<float>.Zero;
        var s2 = Vector256<float>.Zero;
        var s3 = Vector256<float>.Zero;
        int i = 0;
        for (; i + 8 <= n; i += 8)
        {
            var xv = Vector256.Load(x + i);
            s0 = Vector256.FusedMultiplyAdd(Vector256.Load(r0 + i), xv, s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.Load(r1 + i), xv, s1);
            s2 = Vector256.FusedMultiplyAdd(Vector256.Load(r2 + i), xv, s2);
            s3 = Vector256.FusedMultiplyAdd(Vector256.Load(r3 + i), xv, s3);
        }
        float a = Vector256.Sum(s0), b = Vector256.Sum(s1), c = Vector256.Sum(s2), d = Vector256.Sum(s3);
        for (; i < n; i++)
        {
            a += r0[i] * x[i];
            b += r1[i] * x[i];
            c += r2[i] * x[i];
            d += r3[i] * x[i];
        }
        y[0] = a;
        y[1] = b;
        y[2] = c;
        y[3] = d;
    }
}
