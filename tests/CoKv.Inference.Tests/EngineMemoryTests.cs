using CoKv.Generation;
using CoKv.Models;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CoKv.Tests;

[Collection(ParityCollection.Name)]
public sealed class EngineMemoryTests(ParityFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task A_long_decode_does_not_grow_native_memory()
    {
        var config = ParityModels.Config("llama-tied") with { TiedEmbeddings = false, MaxContext = 2100, LayerCount = 2 };
        var tensors = ParityModels.RandomTensors(config);
        // Zero classifier rows for the control tokens: their logit is 0, below the best of 509 random ones, so the
        // decode never stops early on EOS.
        Array.Clear(tensors["lm_head.weight"].data, 0, 3 * config.HiddenSize);
        var path = ParityModels.WriteGguf(TestPaths.TempDir("engine-memory"), "tiny", config, tensors, fixture.StoriesTokenizerKeys);
        using var model = ParityModels.Load(path);
        var request = new GenerationRequest { PromptTokens = [1, 5, 6, 7], MaxNewTokens = 2000 };

        await model.GenerateTextAsync(request with { MaxNewTokens = 300 }); // warm the allocator and the code paths
        long liveBefore = Tensor.TotalCount;
        long rssAt200 = 0, rssAt2000 = 0;
        int count = 0;
        GenerationResult? result = null;
        await foreach (var update in model.GenerateAsync(request))
        {
            if (update.TokenId != null && ++count == 200) rssAt200 = ResidentBytes();
            result = update.Final ?? result;
        }
        rssAt2000 = ResidentBytes();
        long liveAfter = Tensor.TotalCount;

        Assert.Equal(2000, result!.Tokens.Count);
        long reserved = 2L * config.LayerCount * config.KvHeadCount * config.HeadDim * 2004 * sizeof(float);
        output.WriteLine($"VmRSS at token 200: {rssAt200 >> 10} KiB, at 2000: {rssAt2000 >> 10} KiB (growth {(rssAt2000 - rssAt200) >> 10} KiB; cache reserves {reserved >> 10} KiB); live tensors {liveBefore} → {liveAfter}");
        Assert.Equal(liveBefore, liveAfter);
        // A leaked tensor shows in the live-tensor count (above), exactly. RSS catches native growth outside tensors;
        // it also moves with the managed heap and the allocator, whose scratch buffers grow with the sequence (2–11 MiB measured), hence the slack
        // beyond the cache's own pages, which fill as tokens are written.
        Assert.True(rssAt2000 - rssAt200 < reserved + (32 << 20), $"RSS grew by {(rssAt2000 - rssAt200) >> 10} KiB");
    }

    static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
