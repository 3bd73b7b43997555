using System.Globalization;
using System.Text.Json;
using CoKv.Gguf;
using CoKv.Generation;
using CoKv.Models;
using CoKv.SafeTensors;
using static TorchSharp.torch;

namespace CoKv.Tests;

/// <summary>
/// Random-weight models written as real files: a GGUF (read by llama.cpp and by us) and a Hugging Face folder
/// (config.json + model.safetensors + tokenizer.json) holding the same weights.
/// </summary>
static class ParityModels
{
    public static ModelConfig Config(string name) => name switch
    {
        "qwen2-bias-untied" => Base("qwen2", layers: 3, hidden: 64, headDim: 8) with { AttentionBias = true, RopeTheta = 1e6 },
        "qwen3-qknorm-tied" => Base("qwen3", layers: 2, hidden: 64, headDim: 16) with { QkNorm = true, TiedEmbeddings = true, RopeTheta = 1e6 },
        "llama3-scaling-untied" => Base("llama", layers: 4, hidden: 128, headDim: 16) with { RopeTheta = 500000, RopeScaling = new RopeScaling(8, 1, 4, 32) },
        "llama-tied" => Base("llama", layers: 2, hidden: 64, headDim: 8) with { TiedEmbeddings = true },
        _ => throw new ArgumentException(name),
    };

    static ModelConfig Base(string arch, int layers, int hidden, int headDim) => new()
    {
        Architecture = arch,
        VocabSize = 512,
        HiddenSize = hidden,
        IntermediateSize = 2 * hidden + 32,
        LayerCount = layers,
        HeadCount = 8,
        KvHeadCount = 2,
        HeadDim = headDim,
        MaxContext = 256,
        RmsNormEps = 1e-6,
    };

    /// <summary>Weights on the scale of a trained model's (matrices ~ 1/√fan-in, norms near 1), so that attention
    /// is neither uniform nor one-hot.</summary>
    public static Dictionary<string, (long[] shape, float[] data)> RandomTensors(ModelConfig config, int seed = 7)
    {
        var rng = new Random(seed);
        var tensors = new Dictionary<string, (long[], float[])>(StringComparer.Ordinal);
        foreach (var (name, shape) in ExpectedWeights.For(config))
        {
            var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
            bool norm = name.EndsWith("norm.weight", StringComparison.Ordinal);
            double scale = norm ? 0.2 : name.EndsWith(".bias", StringComparison.Ordinal) ? 0.2
                : name.Contains("embed_tokens", StringComparison.Ordinal) ? 1.0 : 2.0 / Math.Sqrt(shape[^1]);
            for (int i = 0; i < data.Length; i++) data[i] = (float)((norm ? 1 : 0) + scale * (rng.NextDouble() * 2 - 1));
            tensors[name] = (shape, data);
        }
        return tensors;
    }

    public static string WriteGguf(string dir, string name, ModelConfig config, Dictionary<string, (long[] shape, float[] data)> tensors, IReadOnlyDictionary<string, object> tokenizerKeys)
    {
        var path = Path.Combine(dir, name + ".gguf");
        GgufModelWriter.Write(path, config, tensors, tokenizerKeys);
        return path;
    }

    public static string WriteHuggingFace(string dir, ModelConfig config, Dictionary<string, (long[] shape, float[] data)> tensors)
    {
        Directory.CreateDirectory(dir);
        var json = new Dictionary<string, object>
        {
            ["model_type"] = config.Architecture,
            ["vocab_size"] = config.VocabSize,
            ["hidden_size"] = config.HiddenSize,
            ["intermediate_size"] = config.IntermediateSize,
            ["num_hidden_layers"] = config.LayerCount,
            ["num_attention_heads"] = config.HeadCount,
            ["num_key_value_heads"] = config.KvHeadCount,
            ["head_dim"] = config.HeadDim,
            ["max_position_embeddings"] = config.MaxContext,
            ["rope_theta"] = config.RopeTheta,
            ["rms_norm_eps"] = config.RmsNormEps,
            ["tie_word_embeddings"] = config.TiedEmbeddings,
        };
        if (config.RopeScaling is { } s)
            json["rope_scaling"] = new Dictionary<string, object>
            {
                ["rope_type"] = "llama3",
                ["factor"] = s.Factor,
                ["low_freq_factor"] = s.LowFrequencyFactor,
                ["high_freq_factor"] = s.HighFrequencyFactor,
                ["original_max_position_embeddings"] = s.OriginalMaxPositions,
            };
        File.WriteAllText(Path.Combine(dir, "config.json"), JsonSerializer.Serialize(json));
        // Any vocabulary of the right size does: these tests compare logits of given ids.
        var pieces = Enumerable.Range(0, config.VocabSize).ToDictionary(i => char.ConvertFromUtf32(0x100 + i), i => i);
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), JsonSerializer.Serialize(new
        {
            model = new { type = "BPE", vocab = pieces, merges = Array.Empty<string>() },
            pre_tokenizer = new { type = "ByteLevel", add_prefix_space = false },
            decoder = new { type = "ByteLevel" },
        }));
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), tensors);
        return dir;
    }

    /// <summary>Deterministic token ids in [3, vocab) (past the control tokens).</summary>
    public static int[] Tokens(int count, int vocab, int seed = 3)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => rng.Next(3, vocab)).ToArray();
    }

    /// <summary>Our uncached logits of every position: [position][vocab].</summary>
    public static float[][] AllLogits(CoKv.Decoding.Decoder decoder, IReadOnlyList<int> tokens)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var input = tensor(tokens.Select(t => (long)t).ToArray()).unsqueeze(0);
        return Rows(decoder.forward(input)[0]);
    }

    /// <summary>
    /// Logits of every position through the cache: prefill in chunks of <paramref name="chunk"/> up to
    /// <paramref name="prefillLength"/>, then one decode step per token.
    /// </summary>
    public static float[][] CachedLogits(CoKv.Decoding.Decoder decoder, IReadOnlyList<int> tokens, int chunk, int prefillLength)
    {
        using var noGrad = no_grad();
        using var cache = decoder.CreateCache(tokens.Count);
        var rows = new List<float[]>();
        for (int start = 0; start < tokens.Count;)
        {
            int count = start < prefillLength ? Math.Min(chunk, prefillLength - start) : 1;
            using var scope = NewDisposeScope();
            var input = tensor(tokens.Skip(start).Take(count).Select(t => (long)t).ToArray()).unsqueeze(0);
            rows.AddRange(Rows(decoder.Logits(decoder.Hidden(input, start, cache))[0]));
            start += count;
        }
        return rows.ToArray();
    }

    public static float[][] Rows(Tensor logits)
    {
        var flat = logits.to(ScalarType.Float32).contiguous().data<float>().ToArray();
        int vocab = (int)logits.shape[^1];
        return Enumerable.Range(0, flat.Length / vocab).Select(p => flat.AsSpan(p * vocab, vocab).ToArray()).ToArray();
    }

    public static string Format(double x) => x.ToString("0.###e+0", CultureInfo.InvariantCulture);

    public static LocalModel Load(string path, RunDType dtype = RunDType.F32) => LocalModel.Load(path, new LocalModelOptions { DType = dtype });
}
