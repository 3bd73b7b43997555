using System.Runtime.InteropServices;
using CoKv.Gguf;
using CoKv.Kernels;
using CoKv.Models;
using static TorchSharp.torch;

namespace CoKv.Decoding;

/// <summary>Builds a <see cref="Decoder"/> and fills it from a weight source one tensor at a time.</summary>
/// <remarks>
/// Memory bound: loading a model takes the decoder's own weights (<see cref="ModelConfig.ParameterCount"/> values in
/// the run dtype, or the file's blocks for kept-quantized matrices) plus a constant: the parsed header (tensor infos,
/// metadata, tokenizer; at most a small multiple of the header's bytes, every count being checked against the file
/// before anything is allocated for it), the rope_freqs factors (head_dim / 2 floats) and, for a run dtype other than
/// f32, one f32 staging copy of the largest tensor. Weights are read from the memory map one tensor at a time and
/// their mapped pages released, so the file is never held twice. A header claiming dimensions the file cannot hold
/// is refused with a <see cref="ModelFormatException"/> before any allocation sized by it (the readers check sizes
/// against the file; <see cref="EnsureMemoryFor"/> checks the total against the memory available).
/// </remarks>
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
        float[]? ropeFactors = weights.Contains("rope_freqs") ? ReadRopeFactors(config, weights) : null;
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

    /// <summary>rope_freqs (llama3 scaling as per-frequency divisors): exactly head_dim / 2 positive finite values.</summary>
    static float[] ReadRopeFactors(ModelConfig config, IWeightSource weights)
    {
        int expected = config.HeadDim / 2;
        var info = weights.Describe("rope_freqs");
        if (info.ElementCount != expected)
            throw new ModelFormatException($"{weights.Source}: tensor 'rope_freqs' has {info.ElementCount:N0} values; head_dim {config.HeadDim} needs {expected} (one per frequency).");
        var factors = new float[expected];
        weights.ReadFloat32("rope_freqs", factors);
        for (int i = 0; i < factors.Length; i++)
            if (!(float.IsFinite(factors[i]) && factors[i] > 0))
                throw new ModelFormatException($"{weights.Source}: tensor 'rope_freqs' value {i} is {factors[i]}; frequency factors must be positive and finite.");
        return factors;
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
