using System.Runtime.InteropServices;
using CoKv.Gguf;
using CoKv.Kernels;
using CoKv.Models;
using static TorchSharp.torch;

namespace CoKv.Model;

/// <summary>Builds a <see cref="Decoder"/> and fills it from a weight source one tensor at a time.</summary>
public static class DecoderLoader
{
    /// <param name="keepQuantized">
    /// Keep the quantized and 16-bit matrices of a GGUF file (Q8_0, Q4_K, F16, …) in their encoding (f32 runs only): memory and decode
    /// traffic stay at the file's size. Otherwise every tensor is expanded to <paramref name="dtype"/>.
    /// </param>
    public static Decoder Load(ModelConfig config, IWeightSource weights, ScalarType dtype = ScalarType.Float32, bool keepQuantized = true)
    {
        config.Validate();
        var quantized = keepQuantized && dtype == ScalarType.Float32 && weights is GgufWeightSource gguf ? gguf : null;
        EnsureMemoryFor(config, dtype, weights, quantized);
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
            var modules = decoder.named_modules().ToDictionary(m => m.name, m => m.module, StringComparer.Ordinal);
            foreach (var (name, parameter) in decoder.named_parameters().ToArray())
            {
                var sourceName = name.StartsWith("lm_head.", StringComparison.Ordinal) ? name : "model." + name;
                if (!weights.Contains(sourceName))
                    throw new ModelFormatException($"{weights.Source}: tensor {sourceName} is missing.");
                var info = weights.Describe(sourceName);
                if (!info.Shape.SequenceEqual(parameter.shape))
                    throw new ModelFormatException(
                        $"{weights.Source}: tensor {sourceName} has shape [{string.Join(", ", info.Shape)}], the configuration expects [{string.Join(", ", parameter.shape)}].");
                parameter.requires_grad = false;
                if (quantized != null && IsKeptQuantized(quantized, sourceName)
                    && modules.GetValueOrDefault(name[..^".weight".Length]) is { } owner and (Projection or TokenEmbedding))
                {
                    var rows = new QuantizedRows(quantized.GetTensorData(sourceName), quantized.StoredRowOrder(sourceName));
                    if (owner is Projection projection) projection.UseQuantized(rows, decoder.QuantizationBuffer);
                    else ((TokenEmbedding)owner).UseQuantized(rows);
                    quantized.GetTensorData(sourceName).ReleasePages();
                    continue;
                }
                Fill(parameter, weights, sourceName);
                (weights as GgufWeightSource)?.GetTensorData(sourceName).ReleasePages();
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

    /// <summary>
    /// Whether a matrix stays in its file encoding: any type but f32, which is already what the GEMMs take. f16 and
    /// bf16 stay 2 bytes per weight, like the block types (decode converts a row at a time in L1).
    /// </summary>
    static bool IsKeptQuantized(GgufWeightSource source, string name) =>
        source.Describe(name).Shape.Length == 2 && source.GgufTensor(name).Type is not GgmlType.F32;

    /// <summary>Refuses a model whose weights cannot fit, before anything is allocated.</summary>
    public static void EnsureMemoryFor(ModelConfig config, ScalarType dtype, IWeightSource weights, GgufWeightSource? keptQuantized = null)
    {
        long elementBytes = dtype == ScalarType.Float32 ? 4 : 2;
        long bytes = config.ParameterCount() * elementBytes;
        if (keptQuantized != null)
            foreach (var t in keptQuantized.Tensors.Where(t => IsKeptQuantized(keptQuantized, t.Name)))
                bytes -= t.ElementCount * elementBytes - keptQuantized.GetTensorData(t.Name).ByteCount;
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (bytes > available)
            throw new ModelFormatException(
                $"{weights.Source}: the model needs {bytes / (1 << 20):N0} MiB of weights in {dtype}, more than the {available / (1 << 20):N0} MiB available.");
    }
}
