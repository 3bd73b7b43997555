using CoKv.Gguf;
using CoKv.Llama2c;
using CoKv.Models;
using CoKv.SafeTensors;
using CoKv.Tests;

namespace CoKv.Formats.Tests;

public class FingerprintTests
{
    [Fact]
    public void Stories260K_has_one_fingerprint_in_gguf_and_llama2c()
    {
        using var file = GgufFile.Open(TestPaths.SharedModel("stories260K.gguf"));
        var ggufConfig = GgufConfig.ToModelConfig(file);
        using var gguf = new GgufWeightSource(file, ggufConfig);
        using var bin = Llama2cCheckpoint.Open(TestPaths.SharedModel("stories260K.bin"));
        var a = ModelFingerprint.Compute(ggufConfig, gguf);
        var b = ModelFingerprint.Compute(bin.Config, bin);
        Assert.Equal(64, a.Length);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Same_weights_in_gguf_and_safetensors_give_the_same_fingerprint_and_a_change_shows()
    {
        var config = GgufTestModels.Config(scaling: new RopeScaling(8, 1, 4, 64));
        var tensors = GgufTestModels.RandomTensors(config);
        var dir = TestPaths.TempDir("fp");
        var ggufPath = Path.Combine(dir, "m.gguf");
        var stPath = Path.Combine(dir, "model.safetensors");
        GgufModelWriter.Write(ggufPath, config, tensors, GgufTestModels.TokenizerMetadata(config.VocabSize));
        SafetensorsWriter.Write(stPath, tensors);

        string fpGguf, fpSt;
        using (var g = GgufWeightSource.Open(ggufPath)) fpGguf = ModelFingerprint.Compute(config, g);
        using (var s = SafetensorsWeightSource.Open(stPath)) fpSt = ModelFingerprint.Compute(config, s);
        Assert.Equal(fpSt, fpGguf);

        tensors["model.layers.1.mlp.down_proj.weight"].data[0] += 1e-3f;
        var changed = Path.Combine(dir, "changed.safetensors");
        SafetensorsWriter.Write(changed, tensors);
        using (var s = SafetensorsWeightSource.Open(changed)) Assert.NotEqual(fpSt, ModelFingerprint.Compute(config, s));
        using (var s = SafetensorsWeightSource.Open(stPath)) Assert.NotEqual(fpSt, ModelFingerprint.Compute(config with { IntermediateSize = 65 }, s));
    }

    [Fact]
    public void Large_tensors_are_sampled_not_read_whole()
    {
        // 4M-element embedding: the fingerprint must not depend on values between the sampled rows.
        var config = GgufTestModels.Config() with { VocabSize = 131072 };
        var tensors = GgufTestModels.RandomTensors(config);
        var dir = TestPaths.TempDir("fp-large");
        var a = Path.Combine(dir, "a.safetensors");
        SafetensorsWriter.Write(a, tensors);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        string fp;
        using (var s = SafetensorsWeightSource.Open(a)) fp = ModelFingerprint.Compute(config, s);
        sw.Stop();
        Assert.True(sw.ElapsedMilliseconds < 5000, $"{sw.ElapsedMilliseconds} ms");
        // Element 1 of the embedding lies between the first two samples (stride 1024).
        tensors["model.embed_tokens.weight"].data[1] += 1;
        var b = Path.Combine(dir, "b.safetensors");
        SafetensorsWriter.Write(b, tensors);
        using (var s = SafetensorsWeightSource.Open(b)) Assert.Equal(fp, ModelFingerprint.Compute(config, s));
    }
}
