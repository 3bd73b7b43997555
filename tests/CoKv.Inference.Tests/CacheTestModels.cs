using CoKv.Decoding;
using CoKv.Models;
using CoKv.Training;

namespace CoKv.Tests;

/// <summary>A tiny random decoder for cache tests: 2 layers, 6 query heads over 2 KV heads (g = 3), head dim 16.</summary>
static class CacheTestModels
{
    public static ModelConfig Config => new()
    {
        Architecture = "llama", VocabSize = 97, HiddenSize = 48, IntermediateSize = 64, LayerCount = 2,
        HeadCount = 6, KvHeadCount = 2, HeadDim = 16, MaxContext = 4096,
    };

    public static Decoder Create(int seed = 7)
    {
        var decoder = new Decoder(Config);
        DecoderInitializer.Initialize(decoder, seed);
        // Larger q/k weights than GPT-2's init give peaked attention, so token choices really differ between heads.
        using var noGrad = TorchSharp.torch.no_grad();
        foreach (var (name, p) in decoder.named_parameters())
            if (name.Contains("q_proj", StringComparison.Ordinal) || name.Contains("k_proj", StringComparison.Ordinal)) p.mul_(20);
        return decoder;
    }

    public static int[] Prompt(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => random.Next(Config.VocabSize)).ToArray();
    }
}
