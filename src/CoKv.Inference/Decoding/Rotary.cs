using TorchSharp;
using CoKv.Models;
using static TorchSharp.torch;

namespace CoKv.Decoding;

/// <summary>
/// Rotary position embedding in the rotate-half layout of Hugging Face's Llama and Qwen code (loaders of GGUF and
/// llama2.c files convert their adjacent-pair layout to it), with Llama-3 frequency scaling when configured.
/// </summary>
public sealed class Rotary : IDisposable
{
    readonly Tensor _inverseFrequency; // [headDim / 2], f32

    public Rotary(ModelConfig config, float[]? frequencyFactors = null)
    {
        int half = config.HeadDim / 2;
        if (frequencyFactors != null && frequencyFactors.Length != half)
            throw new ArgumentException($"{frequencyFactors.Length} RoPE frequency factors given for head dim {config.HeadDim}; {half} are needed.", nameof(frequencyFactors));
        var inverse = new float[half];
        double[]? scaling = config.RopeScaling?.FrequencyFactors(config.HeadDim, config.RopeTheta);
        for (int i = 0; i < half; i++)
        {
            double f = 1.0 / Math.Pow(config.RopeTheta, 2.0 * i / config.HeadDim);
            // A GGUF carries llama3 scaling as per-dimension divisors (rope_freqs); a config.json as parameters.
            if (frequencyFactors != null) f /= frequencyFactors[i];
            else if (scaling != null) f /= scaling[i];
            inverse[i] = (float)f;
        }
        InverseFrequency = inverse;
        _inverseFrequency = tensor(inverse);
    }

    /// <summary>The angle per position of each of the headDim / 2 frequencies (after any scaling).</summary>
    public IReadOnlyList<float> InverseFrequency { get; }

    /// <summary>cos and sin tables [T, headDim] for positions start .. start+T-1, in <paramref name="dtype"/>.</summary>
    public (Tensor Cos, Tensor Sin) Tables(long start, long length, ScalarType dtype, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var inverse = device is null || device.type == _inverseFrequency.device_type ? _inverseFrequency : _inverseFrequency.to(device);
        using var from = start.ToScalar();
        using var to = (start + length).ToScalar();
        var positions = arange(from, to, HeldScalars.One, dtype: float32, device: inverse.device);
        var angles = outer(positions, inverse);
        var both = cat([angles, angles], -1);
        return (both.cos().to(dtype).MoveToOuterDisposeScope(), both.sin().to(dtype).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Rotates x [B, T, heads, headDim] (the projections' own layout) by the tables [T, headDim]. An f32 tensor fresh
    /// from a projection is rotated in place in one managed pass: the six-op tensor form (chunk, neg, cat, two
    /// products, a sum) cost a prefill as much time as the q/k/v projections themselves.
    /// </summary>
    public static unsafe Tensor ApplyToHeads(Tensor x, Tensor cos, Tensor sin)
    {
        if (x.dtype != ScalarType.Float32 || cos.dtype != ScalarType.Float32 || !x.is_contiguous() || !cos.is_contiguous() || !sin.is_contiguous()
            || x.device_type != TorchSharp.DeviceType.CPU || x.requires_grad)
            return Apply(x.transpose(1, 2), cos, sin).transpose(1, 2);
        long batch = x.shape[0], steps = x.shape[1], heads = x.shape[2];
        int dim = (int)x.shape[3], half = dim / 2;
        float* data = Kernels.TensorMemory.Float32(x), c = Kernels.TensorMemory.Float32(cos), s = Kernels.TensorMemory.Float32(sin);
        for (long b = 0; b < batch; b++)
            for (long t = 0; t < steps; t++)
                for (long h = 0; h < heads; h++)
                    Kernels.VectorMath.Rotate(data + ((b * steps + t) * heads + h) * dim, c + t * dim, s + t * dim, half);
        return x;
    }

    /// <summary>Rotates x [..., T, headDim] by the tables.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        var halves = x.chunk(2, -1);
        var rotated = cat([-halves[1], halves[0]], -1);
        return (x * cos).add(rotated * sin, HeldScalars.One).MoveToOuterDisposeScope();
    }

    public void Dispose() => _inverseFrequency.Dispose();
}
