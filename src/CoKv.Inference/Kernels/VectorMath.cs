using System.Numerics.Tensors;

namespace CoKv.Kernels;

/// <summary>The element-wise pieces of a decode step on raw f32 memory (TensorPrimitives where it has the operation).</summary>
public static unsafe class VectorMath
{
    public static float Dot(float* a, float* b, int n) => TensorPrimitives.Dot(new ReadOnlySpan<float>(a, n), new ReadOnlySpan<float>(b, n));

    /// <summary>acc += p·v.</summary>
    public static void AddScaled(float* acc, float* v, float p, int n) =>
        TensorPrimitives.FusedMultiplyAdd(new ReadOnlySpan<float>(v, n), p, new ReadOnlySpan<float>(acc, n), new Span<float>(acc, n));

    public static void Scale(float* x, float s, int n) => TensorPrimitives.Multiply(new ReadOnlySpan<float>(x, n), s, new Span<float>(x, n));

    public static void Add(float* x, float* y, int n) => TensorPrimitives.Add(new ReadOnlySpan<float>(x, n), new ReadOnlySpan<float>(y, n), new Span<float>(x, n));

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
