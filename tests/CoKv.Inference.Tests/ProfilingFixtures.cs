using CoKv.Decoding;
using CoKv.Models;
using CoKv.Profiling;

namespace CoKv.Tests;

/// <summary>stories260K (5 layers x 4 KV heads, a real trained model) loaded once for the profiling tests, and its
/// own greedy story as text whose continuation it predicts with confidence under a full cache.</summary>
static class ProfilingFixtures
{
    static readonly Lazy<ProfilingModel> LazyStories = new(() =>
    {
        TorchSharp.torch.set_num_threads(1);
        using var bundle = ModelFiles.Open(TestPaths.SharedModel("stories260K.gguf"));
        var decoder = DecoderLoader.Load(bundle.Config, bundle.Weights);
        return ProfilingModel.Plain(decoder, bundle.Tokenizer, ModelFingerprint.Compute(bundle.Config, bundle.Weights), "stories260K");
    });

    public static ProfilingModel Stories => LazyStories.Value;

    public static int[] StoryTokens() =>
        Stories.Tokenizer.Encode(File.ReadAllText(TestPaths.SharedModel("stories260K.greedy-once-upon-a-time.txt")), addBos: true, parseSpecial: false).ToArray();

    /// <summary>Where the story names its heroine again after its first lines: continuing there needs a token far
    /// back in the context.</summary>
    public static int[] NameCuts()
    {
        var story = StoryTokens();
        var name = Stories.Tokenizer.Encode("Lily", addBos: false, parseSpecial: false).ToArray();
        return Enumerable.Range(48, story.Length - 60).Where(p => story.AsSpan(p, name.Length).SequenceEqual(name)).ToArray();
    }

    /// <summary>Samples cut from the story: the prompt is its first <c>cut</c> tokens, the gold the next
    /// <paramref name="goldLength"/> (what the model itself wrote there).</summary>
    public static PreparedSample[] StorySamples(int[] cuts, int goldLength)
    {
        var story = StoryTokens();
        return cuts.Select(cut => new PreparedSample($"story@{cut}", "story", story[..cut], story[cut..(cut + goldLength)], goldLength,
            text => 0.0)).ToArray();
    }
}
