using CoKv.Gguf;
using CoKv.Models;
using CoKv.Tests;

namespace CoKv.Formats.Tests;

public class GgufModelWriterTests
{
    static string Write(ModelConfig config, Dictionary<string, (long[] shape, float[] data)> tensors, GgmlType type = GgmlType.F32)
    {
        var path = Path.Combine(TestPaths.TempDir("gguf-model"), $"{config.Architecture}.gguf");
        GgufModelWriter.Write(path, config, tensors, GgufTestModels.TokenizerMetadata(config.VocabSize), type);
        return path;
    }

    [Theory]
    [InlineData("llama", false, false, false)]
    [InlineData("llama", true, false, true)]
    [InlineData("mistral", false, false, false)]
    [InlineData("qwen2", true, false, true)]
    [InlineData("qwen3", false, true, false)]
    public void Hf_tensors_come_back_unchanged_and_the_config_is_rebuilt(string arch, bool bias, bool qkNorm, bool tied)
    {
        var config = GgufTestModels.Config(arch, bias, qkNorm, tied);
        var tensors = GgufTestModels.RandomTensors(config);
        var path = Write(config, tensors);

        using var file = GgufFile.Open(path);
        var read = GgufConfig.ToModelConfig(file);
        Assert.Equal(config, read);
        using var source = new GgufWeightSource(file);
        ExpectedWeights.Check(read, source);
        Assert.Equal(tensors.Count, source.Tensors.Count);
        foreach (var (name, (shape, data)) in tensors)
        {
            Assert.Equal(shape, source.Describe(name).Shape);
            var back = new float[data.Length];
            source.ReadFloat32(name, back);
            Assert.True(data.AsSpan().SequenceEqual(back), name);
        }
    }

    [Fact]
    public void Llama_q_and_k_are_stored_in_llama_cpp_pair_order_and_qwen_is_not()
    {
        foreach (var arch in new[] { "llama", "qwen2" })
        {
            var config = GgufTestModels.Config(arch, bias: true);
            var tensors = GgufTestModels.RandomTensors(config);
            using var file = GgufFile.Open(Write(config, tensors));
            foreach (var (gguf, hf, rows) in new[] { ("blk.1.attn_q.weight", "model.layers.1.self_attn.q_proj.weight", 32), ("blk.0.attn_k.bias", "model.layers.0.self_attn.k_proj.bias", 16) })
            {
                var raw = new float[tensors[hf].data.Length];
                file.ReadFloat32(file.GetTensor(gguf), raw);
                int columns = raw.Length / rows;
                // llama.cpp's converter: w.reshape(n_head, 2, head_dim/2, in).swapaxes(1, 2), computed here index by index.
                for (int h = 0; h < rows / 8; h++)
                    for (int half = 0; half < 2; half++)
                        for (int i = 0; i < 4; i++)
                            for (int c = 0; c < columns; c++)
                            {
                                int hfRow = h * 8 + half * 4 + i;
                                int stored = arch == "llama" ? h * 8 + i * 2 + half : hfRow;
                                Assert.Equal(tensors[hf].data[hfRow * columns + c], raw[stored * columns + c]);
                            }
            }
        }
    }

    [Fact]
    public void Permutation_round_trips()
    {
        var rng = new Random(5);
        var hf = Enumerable.Range(0, 6 * 16 * 3).Select(_ => rng.NextSingle()).ToArray();
        var inter = new float[hf.Length];
        var back = new float[hf.Length];
        RopePermutation.ToInterleaved(hf, inter, 96, 3, 16);
        RopePermutation.FromInterleaved(inter, back, 96, 3, 16);
        Assert.False(hf.AsSpan().SequenceEqual(inter));
        Assert.True(hf.AsSpan().SequenceEqual(back));
    }

    [Theory]
    [InlineData(GgmlType.F16)]
    [InlineData(GgmlType.BF16)]
    [InlineData(GgmlType.Q8_0)]
    public void Quantized_matrices_keep_norms_in_f32(GgmlType type)
    {
        var config = GgufTestModels.Config();
        var tensors = GgufTestModels.RandomTensors(config);
        using var source = GgufWeightSource.Open(Write(config, tensors, type));
        Assert.Equal(TensorType.F32, source.Describe("model.norm.weight").StoredType);
        Assert.Equal(type.ToString(), source.Describe("model.layers.0.self_attn.q_proj.weight").StoredType.ToString());
        var back = new float[tensors["model.layers.0.self_attn.q_proj.weight"].data.Length];
        source.ReadFloat32("model.layers.0.self_attn.q_proj.weight", back);
        var orig = tensors["model.layers.0.self_attn.q_proj.weight"].data;
        Assert.True(orig.Zip(back).Max(p => Math.Abs(p.First - p.Second)) < 0.01);
    }

    [Fact]
    public void Llama3_rope_scaling_writes_rope_freqs_and_the_keys_llama_cpp_reads()
    {
        var scaling = new RopeScaling(8, 1, 4, 64);
        var config = GgufTestModels.Config(scaling: scaling);
        var path = Write(config, GgufTestModels.RandomTensors(config));
        using var file = GgufFile.Open(path);
        foreach (var key in new[] { "context_length", "embedding_length", "block_count", "feed_forward_length", "attention.head_count",
                     "attention.head_count_kv", "attention.key_length", "attention.value_length", "rope.dimension_count" })
            Assert.NotNull(file.GetInteger("llama." + key));
        Assert.Equal(config.RopeTheta, file.GetFloat("llama.rope.freq_base"));
        Assert.Equal(config.RmsNormEps, file.GetFloat("llama.attention.layer_norm_rms_epsilon")!.Value, 1e-12);
        using var source = new GgufWeightSource(file);
        var freqs = new float[config.HeadDim / 2];
        source.ReadFloat32(GgufTensorNames.RopeFreqs, freqs);
        Assert.Equal(scaling.FrequencyFactors(config.HeadDim, config.RopeTheta).Select(f => (float)f), freqs);
    }
}
