using CoKv.Models;

namespace CoKv.Gguf;

/// <summary>
/// Writes a model given in Hugging Face names and layout as a GGUF file that llama.cpp loads: names mapped back to
/// llama.cpp's, Q/K rows reordered for "llama"/"mistral", rope_freqs for llama3 RoPE scaling, and the metadata
/// keys llama.cpp reads (tokenizer keys come from the caller).
/// </summary>
public static class GgufModelWriter
{
    /// <param name="matrixType">Type of the 2-D weight matrices (norms, biases and rope_freqs stay F32, as llama.cpp expects).</param>
    public static void Write(
        string path,
        ModelConfig config,
        IReadOnlyDictionary<string, (long[] shape, float[] data)> hfTensors,
        IReadOnlyDictionary<string, object> tokenizerMetadata,
        GgmlType matrixType = GgmlType.F32)
    {
        config.Validate();
        var arch = config.Architecture;
        GgufArchitectures.Require(arch, path);
        var w = new GgufWriter();
        w.Set("general.architecture", arch);
        w.Set("general.name", System.IO.Path.GetFileNameWithoutExtension(path));
        w.Set("general.file_type", FileType(matrixType));
        w.Set($"{arch}.context_length", (uint)config.MaxContext);
        w.Set($"{arch}.embedding_length", (uint)config.HiddenSize);
        w.Set($"{arch}.block_count", (uint)config.LayerCount);
        w.Set($"{arch}.feed_forward_length", (uint)config.IntermediateSize);
        w.Set($"{arch}.attention.head_count", (uint)config.HeadCount);
        w.Set($"{arch}.attention.head_count_kv", (uint)config.KvHeadCount);
        w.Set($"{arch}.attention.key_length", (uint)config.HeadDim);
        w.Set($"{arch}.attention.value_length", (uint)config.HeadDim);
        w.Set($"{arch}.rope.dimension_count", (uint)config.HeadDim);
        w.Set($"{arch}.rope.freq_base", (float)config.RopeTheta);
        w.Set($"{arch}.attention.layer_norm_rms_epsilon", (float)config.RmsNormEps);
        w.Set($"{arch}.vocab_size", (uint)config.VocabSize);
        foreach (var (key, value) in tokenizerMetadata) w.Set(key, value);

        bool interleave = GgufArchitectures.HasInterleavedQk(arch);
        foreach (var (name, (shape, data)) in hfTensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (name == GgufTensorNames.RopeFreqs) continue; // recomputed from the config below
            if (name == "lm_head.weight" && config.TiedEmbeddings) continue;
            var ggufName = GgufTensorNames.ToGguf(name)
                           ?? throw new ArgumentException($"tensor '{name}' has no llama.cpp name", nameof(hfTensors));
            var stored = data;
            if (interleave && GgufTensorNames.IsQueryOrKey(name, out _))
            {
                stored = new float[data.Length];
                int rows = (int)shape[0];
                RopePermutation.ToInterleaved(data, stored, rows, data.Length / rows, config.HeadDim);
            }
            var type = shape.Length == 2 && (matrixType != GgmlType.Q8_0 || shape[1] % GgmlTypes.Q8_0BlockSize == 0) ? matrixType : GgmlType.F32;
            w.AddTensor(ggufName, shape, stored, type);
        }
        if (config.RopeScaling is { } scaling)
        {
            var factors = Array.ConvertAll(scaling.FrequencyFactors(config.HeadDim, config.RopeTheta), f => (float)f);
            w.AddTensor("rope_freqs.weight", [factors.Length], factors);
        }
        w.Write(path);
    }

    // llama.cpp's llama_ftype: what "most" tensors are.
    static uint FileType(GgmlType t) => t switch
    {
        GgmlType.F32 => 0u,
        GgmlType.F16 => 1u,
        GgmlType.Q8_0 => 7u,
        GgmlType.BF16 => 32u,
        _ => throw new ArgumentException($"cannot write type {GgmlTypes.Name(t)}; writable: F32, F16, BF16, Q8_0"),
    };
}
