using CoKv.HuggingFace;
using CoKv.Models;
using CoKv.Tests;

namespace CoKv.Formats.Tests;

public class HfConfigTests
{
    static string WriteJson(string dir, string name, string json)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Llama3_config_with_rope_scaling()
    {
        var path = WriteJson(TestPaths.TempDir("hf"), "config.json", """
            { "model_type": "llama", "vocab_size": 128256, "hidden_size": 2048, "intermediate_size": 8192,
              "num_hidden_layers": 16, "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 64,
              "max_position_embeddings": 131072, "rope_theta": 500000.0, "rms_norm_eps": 1e-05, "tie_word_embeddings": true,
              "rope_scaling": { "factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                                "original_max_position_embeddings": 8192, "rope_type": "llama3" } }
            """);
        var c = HfConfig.Parse(path);
        Assert.Equal("llama", c.Architecture);
        Assert.Equal((128256, 2048, 8192, 16, 32, 8, 64), (c.VocabSize, c.HiddenSize, c.IntermediateSize, c.LayerCount, c.HeadCount, c.KvHeadCount, c.HeadDim));
        Assert.Equal(131072, c.MaxContext);
        Assert.Equal(500000, c.RopeTheta);
        Assert.Equal(1e-5, c.RmsNormEps);
        Assert.True(c.TiedEmbeddings);
        Assert.False(c.AttentionBias);
        Assert.Equal(new RopeScaling(32, 1, 4, 8192), c.RopeScaling);
    }

    [Fact]
    public void Qwen2_has_bias_and_derived_head_dim()
    {
        var path = WriteJson(TestPaths.TempDir("hf"), "config.json", """
            { "model_type": "qwen2", "vocab_size": 151936, "hidden_size": 896, "intermediate_size": 4864,
              "num_hidden_layers": 24, "num_attention_heads": 14, "num_key_value_heads": 2, "max_position_embeddings": 32768,
              "rope_theta": 1000000.0, "rms_norm_eps": 1e-06, "tie_word_embeddings": true, "rope_scaling": null, "sliding_window": 32768 }
            """);
        var c = HfConfig.Parse(path);
        Assert.True(c.AttentionBias);
        Assert.False(c.QkNorm);
        Assert.Equal(896 / 14, c.HeadDim);
        Assert.Null(c.RopeScaling);
    }

    [Fact]
    public void Qwen3_has_qk_norm_and_explicit_head_dim()
    {
        var path = WriteJson(TestPaths.TempDir("hf"), "config.json", """
            { "model_type": "qwen3", "vocab_size": 151936, "hidden_size": 1024, "intermediate_size": 3072,
              "num_hidden_layers": 28, "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 128,
              "rope_theta": 1000000, "rms_norm_eps": 1e-06, "tie_word_embeddings": true, "attention_bias": false }
            """);
        var c = HfConfig.Parse(path);
        Assert.True(c.QkNorm);
        Assert.False(c.AttentionBias);
        Assert.Equal(128, c.HeadDim);
    }

    [Theory]
    [InlineData("\"gemma2\"", "model_type 'gemma2' is not supported")]
    [InlineData("\"llama\", \"rope_scaling\": { \"rope_type\": \"yarn\", \"factor\": 4 }", "rope_scaling type 'yarn' is not supported")]
    public void Unsupported_configs_are_refused_by_name(string modelType, string expected)
    {
        var path = WriteJson(TestPaths.TempDir("hf"), "config.json",
            $$"""{ "model_type": {{modelType}}, "vocab_size": 10, "hidden_size": 8, "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2 }""");
        var e = Assert.Throws<ModelFormatException>(() => HfConfig.Parse(path));
        Assert.Contains(expected, e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Missing_config_is_reported_with_its_path()
    {
        var path = Path.Combine(TestPaths.TempDir("hf"), "config.json");
        var e = Assert.Throws<ModelFormatException>(() => HfConfig.Parse(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void Generation_info_reads_ids_lists_and_the_chat_template()
    {
        var dir = TestPaths.TempDir("hf-gen");
        WriteJson(dir, "generation_config.json", """{ "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009] }""");
        WriteJson(dir, "tokenizer_config.json", """
            { "bos_token": "<|begin_of_text|>", "eos_token": { "content": "<|eot_id|>", "lstrip": false },
              "chat_template": "{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}" }
            """);
        WriteJson(dir, "config.json", """{ "bos_token_id": 1, "eos_token_id": 2 }""");
        var g = HfGenerationInfo.Read(dir);
        Assert.Equal(128000, g.BosId);
        Assert.Equal([128001, 128008, 128009], g.EosIds);
        Assert.Equal("<|begin_of_text|>", g.BosToken);
        Assert.Equal("<|eot_id|>", g.EosToken);
        Assert.StartsWith("{{ bos_token }}", g.ChatTemplate);

        var dir2 = TestPaths.TempDir("hf-gen2");
        WriteJson(dir2, "config.json", """{ "bos_token_id": 1, "eos_token_id": 2 }""");
        WriteJson(dir2, "tokenizer_config.json", """{ "chat_template": [ { "name": "tool_use", "template": "T" }, { "name": "default", "template": "D" } ] }""");
        var g2 = HfGenerationInfo.Read(dir2);
        Assert.Equal(1, g2.BosId);
        Assert.Equal([2], g2.EosIds);
        Assert.Equal("D", g2.ChatTemplate);
    }
}
