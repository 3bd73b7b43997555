using CoKv.Llama2c;
using CoKv.Models;
using CoKv.Tests;

namespace CoKv.Formats.Tests;

public class Llama2cCheckpointTests
{
    /// <summary>Writes HF tensors as a llama2.c checkpoint (header, weights grouped per kind, pair-ordered wq/wk, RoPE tables).</summary>
    internal static void WriteCheckpoint(string path, ModelConfig c, Dictionary<string, (long[] shape, float[] data)> t, int? vocabOverride = null)
    {
        using var w = new BinaryWriter(File.Create(path));
        int vocab = vocabOverride ?? c.VocabSize * (c.TiedEmbeddings ? 1 : -1);
        foreach (var v in new[] { c.HiddenSize, c.IntermediateSize, c.LayerCount, c.HeadCount, c.KvHeadCount, vocab, c.MaxContext }) w.Write(v);
        void Put(float[] data) { foreach (var x in data) w.Write(x); }
        void Layers(string suffix, bool interleave = false)
        {
            for (int l = 0; l < c.LayerCount; l++)
            {
                var (shape, data) = t[$"model.layers.{l}.{suffix}"];
                if (interleave)
                {
                    var p = new float[data.Length];
                    RopePermutation.ToInterleaved(data, p, (int)shape[0], (int)shape[1], c.HeadDim);
                    data = p;
                }
                Put(data);
            }
        }
        Put(t["model.embed_tokens.weight"].data);
        Layers("input_layernorm.weight");
        Layers("self_attn.q_proj.weight", true);
        Layers("self_attn.k_proj.weight", true);
        Layers("self_attn.v_proj.weight");
        Layers("self_attn.o_proj.weight");
        Layers("post_attention_layernorm.weight");
        Layers("mlp.gate_proj.weight");
        Layers("mlp.down_proj.weight");
        Layers("mlp.up_proj.weight");
        Put(t["model.norm.weight"].data);
        Put(new float[c.MaxContext * c.HeadDim]); // freq_cis_real + freq_cis_imag, each seq_len × head_size/2
        if (!c.TiedEmbeddings) Put(t["lm_head.weight"].data);
    }

    static ModelConfig Llama2cConfig(bool tied) => GgufTestModels.Config(tied: tied) with { HiddenSize = 32, RopeTheta = 10000, RmsNormEps = 1e-5 };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Synthetic_checkpoint_round_trips(bool tied)
    {
        var config = Llama2cConfig(tied);
        var tensors = GgufTestModels.RandomTensors(config);
        var path = Path.Combine(TestPaths.TempDir("l2c"), "model.bin");
        WriteCheckpoint(path, config, tensors);

        using var ckpt = Llama2cCheckpoint.Open(path);
        Assert.Equal(config, ckpt.Config);
        ExpectedWeights.Check(ckpt.Config, ckpt);
        Assert.Equal(tensors.Count, ckpt.Tensors.Count);
        foreach (var (name, (_, data)) in tensors)
        {
            var back = new float[data.Length];
            ckpt.ReadFloat32(name, back);
            Assert.True(data.AsSpan().SequenceEqual(back), name);
        }
    }
}
