using CoKv.Gguf;
using CoKv.Models;
using CoKv.SafeTensors;
using CoKv.Tests;

namespace CoKv.Formats.Tests;

public class SafetensorsTests
{
    [Theory]
    [InlineData(SafetensorsDType.F32)]
    [InlineData(SafetensorsDType.F16)]
    [InlineData(SafetensorsDType.BF16)]
    public void Random_model_round_trips(SafetensorsDType dtype)
    {
        var config = GgufTestModels.Config("qwen2", bias: true);
        var tensors = GgufTestModels.RandomTensors(config);
        var path = Path.Combine(TestPaths.TempDir("st"), "model.safetensors");
        SafetensorsWriter.Write(path, tensors, dtype, new Dictionary<string, string> { ["format"] = "pt" });

        using var file = SafetensorsFile.Open(path);
        Assert.Equal("pt", file.Metadata["format"]);
        using var source = SafetensorsWeightSource.Open(path);
        ExpectedWeights.Check(config, source);
        foreach (var (name, (shape, data)) in tensors)
        {
            var info = source.Describe(name);
            Assert.Equal(shape, info.Shape);
            Assert.Equal(dtype.ToString(), info.StoredType.ToString());
            var back = new float[data.Length];
            source.ReadFloat32(name, back);
            // Relative precision of the stored type: F16 has 11 significant bits, BF16 8; tiny values fall into F16's
            // subnormals, hence the small absolute term.
            float rel = dtype switch { SafetensorsDType.F32 => 0, SafetensorsDType.F16 => 1f / 2048, _ => 1f / 256 };
            for (int i = 0; i < data.Length; i++)
                Assert.True(Math.Abs(data[i] - back[i]) <= Math.Abs(data[i]) * rel + (dtype == SafetensorsDType.F16 ? 6e-8f : 0), $"{name}[{i}]");
        }
        // Header padded to 8 bytes, as the reference writer does.
        Assert.Equal(0, BitConverter.ToInt64(File.ReadAllBytes(path), 0) % 8);
    }

    [Fact]
    public void Sharded_folder_is_read_through_its_index()
    {
        var config = GgufTestModels.Config();
        var tensors = GgufTestModels.RandomTensors(config);
        var dir = TestPaths.TempDir("st-shards");
        var names = tensors.Keys.ToList();
        var shard1 = names.Take(names.Count / 2).ToDictionary(n => n, n => tensors[n]);
        var shard2 = names.Skip(names.Count / 2).ToDictionary(n => n, n => tensors[n]);
        SafetensorsWriter.Write(Path.Combine(dir, "model-00001-of-00002.safetensors"), shard1);
        SafetensorsWriter.Write(Path.Combine(dir, "model-00002-of-00002.safetensors"), shard2);
        var map = shard1.Keys.ToDictionary(k => k, _ => "model-00001-of-00002.safetensors");
        foreach (var k in shard2.Keys) map[k] = "model-00002-of-00002.safetensors";
        File.WriteAllText(Path.Combine(dir, SafetensorsWeightSource.IndexFileName),
            System.Text.Json.JsonSerializer.Serialize(new { metadata = new { total_size = 0 }, weight_map = map }));

        using var source = SafetensorsWeightSource.Open(dir);
        Assert.Equal(tensors.Count, source.Tensors.Count);
        foreach (var (name, (_, data)) in tensors)
        {
            var back = new float[data.Length];
            source.ReadFloat32(name, back);
            Assert.True(data.AsSpan().SequenceEqual(back), name);
        }
    }

    [Fact]
    public void Row_reads_match_whole_reads()
    {
        var config = GgufTestModels.Config();
        var tensors = GgufTestModels.RandomTensors(config);
        var path = Path.Combine(TestPaths.TempDir("st-rows"), "model.safetensors");
        SafetensorsWriter.Write(path, tensors, SafetensorsDType.BF16);
        var ggufPath = Path.Combine(Path.GetDirectoryName(path)!, "m.gguf");
        GgufModelWriter.Write(ggufPath, config, tensors, GgufTestModels.TokenizerMetadata(config.VocabSize));
        using var st = SafetensorsWeightSource.Open(path);
        using var gg = GgufWeightSource.Open(ggufPath);
        foreach (IWeightSource source in new IWeightSource[] { st, gg })
            foreach (var name in new[] { "model.layers.1.self_attn.k_proj.weight", "model.embed_tokens.weight", "model.norm.weight" })
            {
                var info = source.Describe(name);
                var all = new float[info.ElementCount];
                source.ReadFloat32(name, all);
                long cols = info.Shape[^1];
                long rows = info.ElementCount / cols;
                var part = new float[cols];
                ((IRowReader)source).ReadRowsFloat32(name, rows - 1, part);
                Assert.True(all.AsSpan((int)((rows - 1) * cols)).SequenceEqual(part), $"{source.Source} {name}");
            }
    }
}
