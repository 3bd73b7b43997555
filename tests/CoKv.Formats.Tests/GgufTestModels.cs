using System.Text;
using CoKv.Models;

namespace CoKv.Formats.Tests;

/// <summary>Tiny random-weight models in Hugging Face names and layout, and byte-level helpers to corrupt files.</summary>
static class GgufTestModels
{
    public static ModelConfig Config(string arch = "llama", bool bias = false, bool qkNorm = false, bool tied = false, RopeScaling? scaling = null) => new()
    {
        Architecture = arch,
        VocabSize = 64,
        HiddenSize = 32,
        IntermediateSize = 64,
        LayerCount = 2,
        HeadCount = 4,
        KvHeadCount = 2,
        HeadDim = 8,
        MaxContext = 128,
        RopeTheta = 500000,
        RmsNormEps = 1e-6,
        TiedEmbeddings = tied,
        AttentionBias = bias,
        QkNorm = qkNorm,
        RopeScaling = scaling,
    };

    public static Dictionary<string, (long[] shape, float[] data)> RandomTensors(ModelConfig config, int seed = 1)
    {
        var rng = new Random(seed);
        var tensors = new Dictionary<string, (long[], float[])>(StringComparer.Ordinal);
        foreach (var (name, shape) in ExpectedWeights.For(config))
        {
            var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
            for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
            tensors[name] = (shape, data);
        }
        return tensors;
    }

    /// <summary>A minimal SentencePiece-style vocabulary in llama.cpp's tokenizer keys.</summary>
    public static Dictionary<string, object> TokenizerMetadata(int vocab)
    {
        var tokens = new string[vocab];
        var scores = new float[vocab];
        var types = new int[vocab];
        tokens[0] = "<unk>"; tokens[1] = "<s>"; tokens[2] = "</s>";
        types[0] = 2; types[1] = 3; types[2] = 3;
        for (int i = 3; i < vocab; i++)
        {
            tokens[i] = i - 3 < 26 ? ((char)('a' + i - 3)).ToString() : $"▁w{i}";
            scores[i] = -i;
            types[i] = 1;
        }
        return new Dictionary<string, object>
        {
            ["tokenizer.ggml.model"] = "llama",
            ["tokenizer.ggml.tokens"] = tokens,
            ["tokenizer.ggml.scores"] = scores,
            ["tokenizer.ggml.token_type"] = types,
            ["tokenizer.ggml.bos_token_id"] = 1u,
            ["tokenizer.ggml.eos_token_id"] = 2u,
            ["tokenizer.ggml.unknown_token_id"] = 0u,
        };
    }

    /// <summary>Offset of a GGUF tensor info (just past its name) in the file bytes.</summary>
    public static int TensorInfoOffset(byte[] file, string name)
    {
        var needle = new byte[8 + name.Length];
        BitConverter.TryWriteBytes(needle, (ulong)name.Length);
        Encoding.ASCII.GetBytes(name).CopyTo(needle, 8);
        int at = file.AsSpan().IndexOf(needle);
        if (at < 0) throw new InvalidOperationException($"tensor info '{name}' not found");
        return at + needle.Length;
    }
}
