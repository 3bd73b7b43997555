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
        // 4M-element embedding: the fingerprint reads sampled rows only, and does not depend on values between them.
        var config = GgufTestModels.Config() with { VocabSize = 131072 };
        var tensors = GgufTestModels.RandomTensors(config);
        var dir = TestPaths.TempDir("fp-large");
        var a = Path.Combine(dir, "a.safetensors");
        SafetensorsWriter.Write(a, tensors);
        string fp, direct;
        const string embedding = "model.embed_tokens.weight";
        using (var s = SafetensorsWeightSource.Open(a))
        {
            direct = ModelFingerprint.Compute(config, s);
            var counting = new CountingSource(s);
            fp = ModelFingerprint.Compute(config, counting);
            long size = s.Describe(embedding).ElementCount;
            Assert.DoesNotContain(embedding, counting.WholeReads);
            // At most one row (hidden size values) per sample: a 32nd of the tensor here.
            Assert.InRange(counting.RowValuesRead[embedding], 1, (long)ModelFingerprint.SamplesPerTensor * config.HiddenSize);
            Assert.True(counting.RowValuesRead[embedding] < size, $"{counting.RowValuesRead[embedding]} of {size} values read");
        }
        Assert.Equal(direct, fp);
        // Element 1 of the embedding lies between the first two samples (stride 1024).
        tensors[embedding].data[1] += 1;
        var b = Path.Combine(dir, "b.safetensors");
        SafetensorsWriter.Write(b, tensors);
        using (var s = SafetensorsWeightSource.Open(b)) Assert.Equal(fp, ModelFingerprint.Compute(config, s));
    }

    /// <summary>Passes reads through to a source and records how much of each tensor was read, and how.</summary>
    sealed class CountingSource(SafetensorsWeightSource inner) : IWeightSource, IRowReader
    {
        public HashSet<string> WholeReads { get; } = [];
        public Dictionary<string, long> RowValuesRead { get; } = [];
        public string Source => inner.Source;
        public IReadOnlyList<TensorInfo> Tensors => inner.Tensors;
        public bool Contains(string name) => inner.Contains(name);
        public TensorInfo Describe(string name) => inner.Describe(name);

        public void ReadFloat32(string name, Span<float> destination)
        {
            WholeReads.Add(name);
            inner.ReadFloat32(name, destination);
        }

        public void ReadRowsFloat32(string name, long firstRow, Span<float> destination)
        {
            RowValuesRead[name] = RowValuesRead.GetValueOrDefault(name) + destination.Length;
            ((IRowReader)inner).ReadRowsFloat32(name, firstRow, destination);
        }

        public void Dispose() { }
    }
}
