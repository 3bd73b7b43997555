using CoKv.Gguf;
using CoKv.Models;
using CoKv.Tests;
using CoKv.Tokenization;

namespace CoKv.SemanticKernel.Tests;

/// <summary>
/// Random-weight models with a real family's vocabulary and chat template, written as GGUF files and read back by the
/// real loader: Qwen2 (ChatML), Llama 3 and Mistral, vocabularies from llama.cpp's vocab files in ../shared/vocab.
/// One file per family per test run.
/// </summary>
static class ToolModels
{
    public const string Qwen2 = "qwen2", Llama3 = "llama3", Mistral = "mistral";

    // Abridged from the official templates: enough for ChatTemplates.Detect to recognise the family.
    static readonly Dictionary<string, (string Vocab, string Template)> Families = new()
    {
        [Qwen2] = ("ggml-vocab-qwen2.gguf", "{%- for message in messages %}{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}{%- endfor %}{%- if tools %}<tool_call>{%- endif %}"),
        [Llama3] = ("ggml-vocab-llama-bpe.gguf", "{{- bos_token }}{%- for message in messages %}{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}{%- endfor %}"),
        [Mistral] = ("ggml-vocab-llama-spm.gguf", "{{- bos_token }}{%- for message in messages %}{%- if message['role'] == 'user' %}{{- '[INST] ' + message['content'] + '[/INST]' }}{%- else %}{{- ' ' + message['content'] + eos_token }}{%- endif %}{%- endfor %}"),
    };

    static readonly Dictionary<string, string> Written = new();
    static readonly object Gate = new();

    public static string Path(string family)
    {
        lock (Gate)
        {
            if (Written.TryGetValue(family, out var path)) return path;
            var (vocab, template) = Families[family];
            using var source = GgufFile.Open(TestPaths.VocabFile(vocab));
            var keys = source.Metadata.Where(kv => kv.Key.StartsWith("tokenizer.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
            keys["tokenizer.chat_template"] = template;
            int size = TokenizerFactory.FromGguf(source).VocabSize;
            var config = new ModelConfig
            {
                Architecture = "llama",
                VocabSize = size,
                HiddenSize = 32,
                IntermediateSize = 64,
                LayerCount = 1,
                HeadCount = 4,
                KvHeadCount = 2,
                HeadDim = 8,
                MaxContext = 4096,
                RmsNormEps = 1e-6,
                TiedEmbeddings = true,
            };
            path = System.IO.Path.Combine(TestPaths.TempDir("tool-models"), family + ".gguf");
            GgufModelWriter.Write(path, config, RandomTensors(config, seed: family.Length), keys);
            Written[family] = path;
            return path;
        }
    }

    static Dictionary<string, (long[] shape, float[] data)> RandomTensors(ModelConfig config, int seed)
    {
        var rng = new Random(seed);
        var tensors = new Dictionary<string, (long[], float[])>(StringComparer.Ordinal);
        foreach (var (name, shape) in ExpectedWeights.For(config))
        {
            var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
            bool norm = name.EndsWith("norm.weight", StringComparison.Ordinal);
            double scale = norm ? 0.2 : name.Contains("embed_tokens", StringComparison.Ordinal) ? 1.0 : 2.0 / Math.Sqrt(shape[^1]);
            for (int i = 0; i < data.Length; i++) data[i] = (float)((norm ? 1 : 0) + scale * (rng.NextDouble() * 2 - 1));
            tensors[name] = (shape, data);
        }
        return tensors;
    }

    /// <summary>The repository's default model (Compact template).</summary>
    public static string Default
    {
        get
        {
            var path = System.IO.Path.Combine(TestPaths.RepoRoot, "models", "cokv-default", "cokv-default.gguf");
            if (!File.Exists(path)) throw new FileNotFoundException($"Test fixture missing: {path} (the repository's default model).", path);
            return path;
        }
    }

    public static CoKvChatClient Client(string modelPath) => CoKvChatClient.Create(new CoKvOptions
    {
        ModelPath = modelPath,
        ProfileDirectory = TestPaths.TempDir("tool-profiles"),
        DefaultBudget = 64,
        Window = 4,
        Threads = 1,
    });
}
