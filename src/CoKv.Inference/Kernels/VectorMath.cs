using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CoKv.Kernels;

/// <summary>The element-wise pieces of a decode step on raw f32 memory, vectorised with 256-bit lanes.</summary>
public static unsafe class VectorMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(float* a, float* b, int n)
    {
        int i = 0;
        var s0 = Vector256<float>.Zero;
        var s1 = Vector256<float>.Zero;
        for (; i + 16 <= n; i += 16)
        {
            s0 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i + 8), Vector256.Load(b + i + 8), s1);
        }
        for (; i + 8 <= n; i += 8) s0 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), s0);
        float sum = Vector256.Sum(s0 + s1);
        for (; i < n; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>acc += p·v.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(float* acc, float* v, float p, int n)
    {
        int i = 0;
        var pv = Vector256.Create(p);
        for (; i + 8 <= n; i += 8) Vector256.FusedMultiplyAdd(Vector256.Load(v + i), pv, Vector256.Load(acc + i)).Store(acc + i);
        for (; i < n; i++) acc[i] += p * v[i];
    }

    public static void Scale(float* x, float s, int n)
    {
        for (int i = 0; i < n; i++) x[i] *= s;
    }

    public static void Add(float* x, float* y, int n)
    {
        int i = 0;
        for (; i + 8 <= n; i += 8) (Vector256.Load(x + i) + Vector256.Load(y + i)).Store(x + i);
        for (; i < n; i++) x[i] += y[i];
    }

    /// <summary>y = x / √(mean(x²) + ε) · w, in the order the TorchSharp path computes it.</summary>
    public static void RmsNorm(float* x, float* weight, float* y, int n, double eps)
    {
        double squares = 0;
        for (int i = 0; i < n; i++) squares += (double)x[i] * x[i];
        float inverse = 1f / MathF.Sqrt((float)(squares / n) + (float)eps);
        for (int i = 0; i < n; i++) y[i] = x[i] * inverse * weight[i];
    }

    /// <summary>gate = silu(gate) · up.</summary>
    public static void SiluMultiply(float* gate, float* up, int n)
    {
        for (int i = 0; i < n; i++)
        {
            float g = gate[i];
            gate[i] = g / (1f + MathF.Exp(-g)) * up[i];
        }
    }

    /// <summary>Rotate-half RoPE of one head in place: (x₁, x₂) → (x₁·cos − x₂·sin, x₂·cos + x₁·sin).</summary>
    public static void Rotate(float* x, float* cos, float* sin, int half)
    {
        for (int i = 0; i < half; i++)
        {
            float x1 = x[i], x2 = x[i + half];
            x[i] = x1 * cos[i] - x2 * sin[i];
            x[i + half] = x2 * cos[i] + x1 * sin[i];
        }
    }
}
