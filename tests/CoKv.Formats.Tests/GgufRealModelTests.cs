using CoKv.Gguf;
using CoKv.Llama2c;
using CoKv.Models;
using CoKv.Tests;

namespace CoKv.Formats.Tests;

/// <summary>stories260K.gguf and stories260K.bin through the real loaders; numbers from ../shared/models/README.md.</summary>
public class GgufRealModelTests
{
    static void AssertStories260KConfig(ModelConfig c)
    {
        Assert.Equal("llama", c.Architecture);
        Assert.Equal(64, c.HiddenSize);
        Assert.Equal(172, c.IntermediateSize);
        Assert.Equal(5, c.LayerCount);
        Assert.Equal(8, c.HeadCount);
        Assert.Equal(4, c.KvHeadCount);
        Assert.Equal(8, c.HeadDim);
        Assert.Equal(512, c.VocabSize);
        Assert.Equal(512, c.MaxContext);
        Assert.Equal(10000, c.RopeTheta);
        Assert.Equal(1e-5, c.RmsNormEps, 1e-9);
        Assert.False(c.AttentionBias);
        Assert.False(c.QkNorm);
    }

    [Fact]
    public void Gguf_metadata_and_config_match_the_readme()
    {
        using var file = GgufFile.Open(TestPaths.SharedModel("stories260K.gguf"));
        Assert.Equal(3u, file.Version);
        Assert.Equal("llama", file.Architecture);
        Assert.Equal("llama", file.GetString("tokenizer.ggml.model"));
        Assert.Equal(1, file.GetInteger("tokenizer.ggml.bos_token_id"));
        Assert.Equal(2, file.GetInteger("tokenizer.ggml.eos_token_id"));
        Assert.Equal(512, file.GetStringArray("tokenizer.ggml.tokens")!.Count);
        Assert.Equal(512, file.GetFloatArray("tokenizer.ggml.scores")!.Length);
        Assert.Equal(512, file.GetIntArray("tokenizer.ggml.token_type")!.Length);
        Assert.True(file.ContainsKey("llama.block_count"));
        Assert.Null(file.GetString("no.such.key"));
        var config = GgufConfig.ToModelConfig(file);
        AssertStories260KConfig(config);
        Assert.False(config.TiedEmbeddings); // README: output.weight is written out explicitly
    }

    [Fact]
    public void Llama2c_config_matches_the_readme()
    {
        using var ckpt = Llama2cCheckpoint.Open(TestPaths.SharedModel("stories260K.bin"));
        AssertStories260KConfig(ckpt.Config);
        Assert.True(ckpt.Config.TiedEmbeddings);
        Assert.Equal(ckpt.Config.ParameterCount(), ckpt.Tensors.Sum(t => t.ElementCount));
    }

    [Fact]
    public void Gguf_and_llama2c_give_equal_tensors_in_hf_layout()
    {
        using var gguf = GgufWeightSource.Open(TestPaths.SharedModel("stories260K.gguf"));
        using var bin = Llama2cCheckpoint.Open(TestPaths.SharedModel("stories260K.bin"));
        foreach (var t in bin.Tensors)
        {
            Assert.True(gguf.Contains(t.Name), t.Name);
            Assert.Equal(t.Shape, gguf.Describe(t.Name).Shape);
            var a = new float[t.ElementCount];
            var b = new float[t.ElementCount];
            bin.ReadFloat32(t.Name, a);
            gguf.ReadFloat32(t.Name, b);
            Assert.True(a.AsSpan().SequenceEqual(b), $"{t.Name} differs");
        }
        // The GGUF's explicit classifier is the tied embedding.
        var emb = new float[bin.Describe("model.embed_tokens.weight").ElementCount];
        var head = new float[emb.Length];
        bin.ReadFloat32("model.embed_tokens.weight", emb);
        gguf.ReadFloat32("lm_head.weight", head);
        Assert.True(emb.AsSpan().SequenceEqual(head));
    }

    [Fact]
    public void Q_and_k_are_unpermuted_on_read()
    {
        // The raw GGUF rows are in llama.cpp's pair layout; what the source hands out is HF's rotate-half layout.
        using var file = GgufFile.Open(TestPaths.SharedModel("stories260K.gguf"));
        using var source = new GgufWeightSource(file);
        var raw = file.GetTensor("blk.0.attn_k.weight");
        var rawData = new float[raw.ElementCount];
        file.ReadFloat32(raw, rawData);
        var hf = new float[rawData.Length];
        source.ReadFloat32("model.layers.0.self_attn.k_proj.weight", hf);
        Assert.False(rawData.AsSpan().SequenceEqual(hf));
        var back = new float[hf.Length];
        RopePermutation.ToInterleaved(hf, back, 32, 64, 8);
        Assert.True(rawData.AsSpan().SequenceEqual(back));
    }
}
