using CoKv.Gguf;
using CoKv.LlamaCpp;
using CoKv.Llama2c;
using CoKv.Models;
using CoKv.Tests;

namespace CoKv.Formats.Tests;

/// <summary>Files written by <see cref="GgufModelWriter"/> as llama.cpp (the reference) sees them.</summary>
[Collection(LlamaCppCollection.Name)]
public sealed class GgufLlamaCppTests(LlamaCppStoriesFixture fixture)
{
    static Dictionary<string, (long[] shape, float[] data)> ReadAll(IWeightSource source)
    {
        var all = new Dictionary<string, (long[], float[])>(StringComparer.Ordinal);
        foreach (var t in source.Tensors)
        {
            var data = new float[t.ElementCount];
            source.ReadFloat32(t.Name, data);
            all[t.Name] = (t.Shape, data);
        }
        return all;
    }

    static Dictionary<string, object> TokenizerKeys(GgufFile file) =>
        file.Metadata.Where(kv => kv.Key.StartsWith("tokenizer.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);

    [Fact]
    public void Stories260K_rewritten_from_llama2c_gives_llama_cpp_the_same_logits()
    {
        // llama2.c weights (read into HF layout) → GgufModelWriter (back to llama.cpp's pair layout): if either
        // permutation were wrong, llama.cpp's RoPE would rotate the wrong pairs and the logits would differ.
        using var original = GgufFile.Open(TestPaths.SharedModel("stories260K.gguf"));
        using var bin = Llama2cCheckpoint.Open(TestPaths.SharedModel("stories260K.bin"));
        var path = Path.Combine(TestPaths.TempDir("gguf-llamacpp"), "stories-rewritten.gguf");
        GgufModelWriter.Write(path, bin.Config, ReadAll(bin), TokenizerKeys(original));

        using var model = LlamaCppModel.Load(path);
        Assert.Equal((64, 5, 8, 4, 512), (model.EmbeddingLength, model.LayerCount, model.HeadCount, model.KvHeadCount, model.VocabSize));
        using var context = LlamaCppContext.Create(model, contextLength: 64, batchSize: 64, threads: LlamaCppStoriesFixture.Threads);
        int[] prompt = [1, 403, 407, 261, 378, 260, 300];
        var ours = context.EvaluateAllLogits(prompt);
        var reference = fixture.Context.EvaluateAllLogits(prompt);
        for (int p = 0; p < prompt.Length; p++)
        {
            // Error measure: max |ours − reference| over the position's logits, divided by the std of the reference logits.
            double mean = reference[p].Average(x => (double)x);
            double std = Math.Sqrt(reference[p].Average(x => (x - mean) * (x - mean)));
            double maxDiff = ours[p].Zip(reference[p]).Max(z => Math.Abs((double)z.First - z.Second));
            Assert.True(maxDiff / std < 1e-4, $"position {p}: max diff {maxDiff} vs std {std}");
        }
    }

    [Theory]
    [InlineData(GgmlType.F32)]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.BF16)]
    public void Random_llama3_style_model_loads_in_llama_cpp(GgmlType type)
    {
        var config = GgufTestModels.Config(scaling: new RopeScaling(8, 1, 4, 64));
        var path = Path.Combine(TestPaths.TempDir("gguf-llamacpp-rand"), $"random-{type}.gguf");
        GgufModelWriter.Write(path, config, GgufTestModels.RandomTensors(config), GgufTestModels.TokenizerMetadata(config.VocabSize), type);
        using var model = LlamaCppModel.Load(path);
        Assert.Equal((config.HiddenSize, config.LayerCount, config.HeadCount, config.KvHeadCount, config.VocabSize, config.MaxContext),
            (model.EmbeddingLength, model.LayerCount, model.HeadCount, model.KvHeadCount, model.VocabSize, model.TrainContextLength));
        using var context = LlamaCppContext.Create(model, contextLength: 32, batchSize: 32, threads: LlamaCppStoriesFixture.Threads);
        var logits = context.EvaluateAllLogits([1, 5, 6, 7]);
        Assert.All(logits, row => Assert.All(row, x => Assert.True(float.IsFinite(x))));
    }
}
