using CoKv.Generation;
using CoKv.Gguf;
using CoKv.Model;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CoKv.Tests;

/// <summary>
/// Random models quantized by llama.cpp's quantizer stay quantized in memory after loading, and the managed decode
/// step's quantized kernels agree with the module path, which dequantizes the same blocks exactly.
/// </summary>
[Collection(ParityCollection.Name)]
public sealed class QuantizedDecodeTests(ParityFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [InlineData("Q8_0", 7)]
    [InlineData("Q4_K_M", 15)]
    [InlineData("Q6_K", 18)]
    public void Quantized_weights_stay_in_their_blocks_and_the_decode_kernels_match_dequantization(string name, int fileType)
    {
        var config = ParityModels.Config("llama3-scaling-untied");
        var dir = TestPaths.TempDir("quantized-decode");
        var f32 = ParityModels.WriteGguf(dir, "f32", config, ParityModels.RandomTensors(config), fixture.StoriesTokenizerKeys);
        var path = Path.Combine(dir, name + ".gguf");
        LlamaCppQuantizer.Quantize(f32, path, fileType);
        using (var file = GgufFile.Open(path))
            output.WriteLine($"{name}: {string.Join(", ", file.TypeMix().Select(c => $"{c.Tensors} {c.Type}"))}");

        using var model = ParityModels.Load(path);
        var decoder = model.Decoder;
        // Every matrix the file holds in blocks is held in blocks: no dense f32 copy of it exists.
        var projections = decoder.named_modules().Select(m => m.module).OfType<Projection>().ToArray();
        int quantized = projections.Count(p => p.Quantized != null);
        Assert.True(quantized > 0, "no projection kept its quantized blocks");
        Assert.All(projections.Where(p => p.Quantized != null), p => Assert.Equal(0, p.weight.numel()));
        long denseBytes = decoder.parameters().Sum(p => p.numel() * 4);
        output.WriteLine($"{name}: {quantized} of {projections.Length} projections quantized; dense parameters {denseBytes} bytes, file {new FileInfo(path).Length} bytes");
        Assert.True(denseBytes < new FileInfo(f32).Length / 4, "most weights should be quantized");

        var tokens = ParityModels.Tokens(40, config.VocabSize, seed: 4);
        using var session = new InferenceSession(decoder, tokens.Length);
        using var reference = decoder.CreateCache(tokens.Length);
        using (no_grad())
        using (NewDisposeScope())
            decoder.Hidden(tensor(tokens[..24].Select(t => (long)t).ToArray()).unsqueeze(0), 0, reference);
        session.Prefill(tokens[..24]).Dispose();
        Assert.True(session.UsesManagedDecode);
        double worst = 0;
        for (int i = 24; i < tokens.Length; i++)
        {
            using var ours = session.Step(tokens[i]);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var theirs = decoder.Logits(decoder.Hidden(tensor(new long[] { tokens[i] }).unsqueeze(0), i, reference)[0, -1]);
            var e = theirs.data<float>().ToArray();
            var a = ours.data<float>().ToArray();
            double mean = e.Average(), std = Math.Sqrt(e.Sum(x => (x - mean) * (x - mean)) / e.Length);
            worst = Math.Max(worst, e.Zip(a, (x, y) => Math.Abs(x - y)).Max() / std);
        }
        output.WriteLine($"{name}: managed step vs module path: max |Δ| / std = {worst:E2}");
        // f32 sums in another order over the same dequantized values (measured ≤ 5e-6).
        Assert.True(worst < 5e-5, $"{name}: {worst:E2}");
    }
}
