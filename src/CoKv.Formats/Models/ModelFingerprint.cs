using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace CoKv.Models;

/// <summary>
/// Identifies a model's weights independently of the file format: a SHA-256 over the config's shape fields and,
/// per tensor in name order, its name, shape and up to <see cref="SamplesPerTensor"/> evenly strided values as f32
/// in the Hugging Face layout. Sources that can read single rows (<see cref="IRowReader"/>) are sampled without
/// converting whole tensors.
/// </summary>
public static class ModelFingerprint
{
    public const int SamplesPerTensor = 4096;
    const string Version = "cokv-fingerprint-v1";

    public static string Compute(ModelConfig config, IWeightSource weights)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Text(string s) => hash.AppendData(Encoding.UTF8.GetBytes(s + "\n"));

        Text(Version);
        Text($"vocab={config.VocabSize} hidden={config.HiddenSize} intermediate={config.IntermediateSize} layers={config.LayerCount} heads={config.HeadCount} kv_heads={config.KvHeadCount} head_dim={config.HeadDim}");

        var samples = new Dictionary<string, float[]>(StringComparer.Ordinal);
        float[] Sample(TensorInfo t) => samples.TryGetValue(t.Name, out var s) ? s : samples[t.Name] = SampleValues(weights, t);

        foreach (var t in weights.Tensors.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            // rope_freqs is derived from the config (llama.cpp stores it, HF does not).
            if (t.Name == "rope_freqs") continue;
            // A classifier stored out explicitly but equal to the embedding is the tied one (e.g. a GGUF that writes output.weight).
            if (t.Name == "lm_head.weight" && weights.Contains("model.embed_tokens.weight"))
            {
                var emb = weights.Describe("model.embed_tokens.weight");
                if (emb.Shape.SequenceEqual(t.Shape) && Sample(emb).AsSpan().SequenceEqual(Sample(t))) continue;
            }
            Text($"{t.Name} [{string.Join(",", t.Shape)}]");
            var values = Sample(t);
            var buffer = new byte[values.Length * 4];
            for (int i = 0; i < values.Length; i++)
                BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(4 * i), values[i]);
            hash.AppendData(buffer);
            samples.Remove(t.Name);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    static float[] SampleValues(IWeightSource weights, TensorInfo t)
    {
        long count = t.ElementCount;
        int n = (int)Math.Min(count, SamplesPerTensor);
        var result = new float[n];
        if (n == 0) return result;
        long Index(int k) => count <= SamplesPerTensor ? k : (long)((Int128)k * count / n);

        if (weights is not IRowReader rows || count <= SamplesPerTensor)
        {
            var all = new float[count];
            weights.ReadFloat32(t.Name, all);
            for (int k = 0; k < n; k++) result[k] = all[Index(k)];
            return result;
        }
        long rowLength = t.Shape.Length == 0 ? 1 : t.Shape[^1];
        var row = new float[rowLength];
        long loaded = -1;
        for (int k = 0; k < n; k++)
        {
            long idx = Index(k), r = idx / rowLength;
            if (r != loaded)
            {
                rows.ReadRowsFloat32(t.Name, r, row);
                loaded = r;
            }
            result[k] = row[idx % rowLength];
        }
        return result;
    }
}
