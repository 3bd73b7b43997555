using CoKv.Gguf;
using CoKv.Models;
using CoKv.SafeTensors;
using CoKv.Tests;

namespace CoKv.Formats.Tests;

public class ModelFilesTests
{
    [Fact]
    public void Opens_stories260K_as_gguf_and_as_llama2c()
    {
        using var gguf = ModelFiles.Open(TestPaths.SharedModel("stories260K.gguf"));
        using var bin = ModelFiles.Open(TestPaths.SharedModel("stories260K.bin")); // finds tok512.bin beside it
        Assert.Equal("gguf", gguf.Format);
        Assert.Equal("llama2c", bin.Format);
        Assert.Equal(512, gguf.Tokenizer.VocabSize);
        Assert.Equal(512, bin.Tokenizer.VocabSize);
        Assert.Equal(gguf.Config with { TiedEmbeddings = true }, bin.Config);
        Assert.Equal(ModelFingerprint.Compute(gguf.Config, gguf.Weights), ModelFingerprint.Compute(bin.Config, bin.Weights));
        // README: "Once upon a time" encodes to [1, 403, 407, 261, 378] (BOS first).
        Assert.Equal([1, 403, 407, 261, 378], gguf.Tokenizer.Encode("Once upon a time"));
        Assert.Equal([1, 403, 407, 261, 378], bin.Tokenizer.Encode("Once upon a time"));
    }

    [Fact]
    public void Opens_a_hugging_face_folder()
    {
        var config = GgufTestModels.Config("qwen2", bias: true, tied: true);
        var tensors = GgufTestModels.RandomTensors(config);
        var dir = TestPaths.TempDir("hf-folder");
        File.WriteAllText(Path.Combine(dir, "config.json"), $$"""
            { "model_type": "qwen2", "vocab_size": {{config.VocabSize}}, "hidden_size": {{config.HiddenSize}},
              "intermediate_size": {{config.IntermediateSize}}, "num_hidden_layers": {{config.LayerCount}},
              "num_attention_heads": {{config.HeadCount}}, "num_key_value_heads": {{config.KvHeadCount}},
              "max_position_embeddings": {{config.MaxContext}}, "rope_theta": {{config.RopeTheta}}, "rms_norm_eps": 1e-06,
              "tie_word_embeddings": true }
            """);
        WriteByteLevelTokenizer(dir, config.VocabSize);
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), tensors, SafetensorsDType.BF16);

        using var bundle = ModelFiles.Open(dir);
        Assert.Equal("hf", bundle.Format);
        Assert.Equal(config, bundle.Config);
        Assert.Equal("{{ messages }}", bundle.ChatTemplate);
        Assert.Equal(config.VocabSize, bundle.Tokenizer.VocabSize);
    }

    static void WriteByteLevelTokenizer(string dir, int vocab)
    {
        var pieces = Enumerable.Range(0, vocab).ToDictionary(i => ((char)('!' + i)).ToString(), i => i);
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), System.Text.Json.JsonSerializer.Serialize(new
        {
            model = new { type = "BPE", vocab = pieces, merges = Array.Empty<string>() },
            pre_tokenizer = new { type = "ByteLevel", add_prefix_space = false },
            decoder = new { type = "ByteLevel" },
        }));
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """{ "chat_template": "{{ messages }}" }""");
    }

    [Fact]
    public void Missing_config_json_is_reported()
    {
        var dir = TestPaths.TempDir("hf-empty");
        var e = Assert.Throws<ModelFormatException>(() => ModelFiles.Open(dir));
        Assert.Contains(dir, e.Message);
        Assert.Contains("config.json is missing", e.Message);
    }

    [Fact]
    public void Missing_llama2c_tokenizer_names_what_was_looked_for()
    {
        var dir = TestPaths.TempDir("l2c-alone");
        var path = Path.Combine(dir, "stories260K.bin");
        File.Copy(TestPaths.SharedModel("stories260K.bin"), path);
        var e = Assert.Throws<ModelFormatException>(() => ModelFiles.Open(path));
        Assert.Contains("tokenizer.bin", e.Message);
        Assert.Contains("tok*.bin", e.Message);
        Assert.Contains(path, e.Message);
        var e2 = Assert.Throws<ModelFormatException>(() => ModelFiles.Open(path, Path.Combine(dir, "nope.bin")));
        Assert.Contains("nope.bin", e2.Message);
        using var ok = ModelFiles.Open(path, TestPaths.SharedModel("tok512.bin"));
        Assert.Equal(512, ok.Tokenizer.VocabSize);
    }

    [Fact]
    public void Gguf_without_tokenizer_and_hf_folder_without_tokenizer_are_reported()
    {
        var config = GgufTestModels.Config();
        var tensors = GgufTestModels.RandomTensors(config);
        var dir = TestPaths.TempDir("no-tok");
        var gguf = Path.Combine(dir, "m.gguf");
        GgufModelWriter.Write(gguf, config, tensors, new Dictionary<string, object>());
        var e = Assert.Throws<ModelFormatException>(() => ModelFiles.Open(gguf));
        Assert.Contains("tokenizer.ggml.tokens", e.Message);

        File.WriteAllText(Path.Combine(dir, "config.json"), """
            { "model_type": "llama", "vocab_size": 64, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
              "num_attention_heads": 4, "num_key_value_heads": 2 }
            """);
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), tensors);
        var e2 = Assert.Throws<ModelFormatException>(() => ModelFiles.Open(dir));
        Assert.Contains("tokenizer.json", e2.Message);
        Assert.Contains("tokenizer.model", e2.Message);
    }

    [Fact]
    public void Weights_that_do_not_fit_the_config_are_reported()
    {
        var config = GgufTestModels.Config();
        var tensors = GgufTestModels.RandomTensors(config);
        tensors.Remove("model.layers.1.mlp.up_proj.weight");
        var path = Path.Combine(TestPaths.TempDir("missing-tensor"), "m.gguf");
        GgufModelWriter.Write(path, config, tensors, GgufTestModels.TokenizerMetadata(config.VocabSize));
        var e = Assert.Throws<ModelFormatException>(() => ModelFiles.Open(path));
        Assert.Contains("model.layers.1.mlp.up_proj.weight", e.Message);
    }
}
