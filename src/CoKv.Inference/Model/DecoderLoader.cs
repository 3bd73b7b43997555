using System.Runtime.InteropServices;
using CoKv.Models;
using static TorchSharp.torch;

namespace CoKv.Model;

/// <summary>Builds a <see cref="Decoder"/> and fills it from a weight source one tensor at a time.</summary>
public static class DecoderLoader
{
    public static Decoder Load(ModelConfig config, IWeightSource weights, ScalarType dtype = ScalarType.Float32)
    {
        config.Validate();
        EnsureMemoryFor(config, dtype, weights.Source);
        float[]? ropeFactors = null;
        if (weights.Contains("rope_freqs"))
        {
            ropeFactors = new float[weights.Describe("rope_freqs").ElementCount];
            weights.ReadFloat32("rope_freqs", ropeFactors);
        }
        var decoder = new Decoder(config, dtype, ropeFactors);
        try
        {
            using var noGrad = no_grad();
            foreach (var (name, parameter) in decoder.named_parameters())
            {
                var sourceName = name.StartsWith("lm_head.", StringComparison.Ordinal) ? name : "model." + name;
                if (!weights.Contains(sourceName))
                    throw new ModelFormatException($"{weights.Source}: tensor {sourceName} is missing.");
                var info = weights.Describe(sourceName);
                if (!info.Shape.SequenceEqual(parameter.shape))
                    throw new ModelFormatException(
                        $"{weights.Source}: tensor {sourceName} has shape [{string.Join(", ", info.Shape)}], the configuration expects [{string.Join(", ", parameter.shape)}].");
                Fill(parameter, weights, sourceName);
                parameter.requires_grad = false;
            }
            decoder.eval();
            return decoder;
        }
        catch
        {
            decoder.Dispose();
            throw;
        }
    }

    static void Fill(Tensor parameter, IWeightSource weights, string name)
    {
        if (parameter.dtype == ScalarType.Float32)
        {
            weights.ReadFloat32(name, MemoryMarshal.Cast<byte, float>(parameter.bytes));
            return;
        }
        // Other run dtypes go through one f32 tensor at a time, never a second copy of the model.
        using var staging = empty(parameter.shape, ScalarType.Float32);
        weights.ReadFloat32(name, MemoryMarshal.Cast<byte, float>(staging.bytes));
        parameter.copy_(staging);
    }

    /// <summary>Refuses a model whose weights cannot fit, before anything is allocated.</summary>
    public static void EnsureMemoryFor(ModelConfig config, ScalarType dtype, string source)
    {
        long bytes = config.ParameterCount() * (dtype == ScalarType.Float32 ? 4 : 2);
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (bytes > available)
            throw new ModelFormatException(
                $"{source}: the model needs {bytes / (1 << 20):N0} MiB of weights in {dtype}, more than the {available / (1 << 20):N0} MiB available.");
    }
}
