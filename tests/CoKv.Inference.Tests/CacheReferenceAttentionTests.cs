using CoKv.Cache;
using CoKv.Compression;
using CoKv.Generation;
using CoKv.Decoding;
using CoKv.Models;
using CoKv.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CoKv.Tests;

/// <summary>
/// A head-budgeted cache whose heads keep different numbers of prompt tokens against <see cref="MaskedReferenceCache"/>:
/// attention computed plainly, each KV head restricted to exactly its kept positions plus the tokens appended since.
/// </summary>
public sealed class CacheReferenceAttentionTests(ITestOutputHelper output)
{
    // Measured (f32): the decoder's logits differ from the reference's by at most 7.8e-7 of their std, the attention
    // outputs by 4.8e-7 absolute. The bounds leave a margin of about 10; the full cache's logits differ by > 1 std.
    const double LogitsTolerance = 1e-5;
    const float AttentionTolerance = 5e-6f;

    // 3 layers, 8 query heads over 4 KV heads (g = 2), head dim 8.
    static readonly ModelConfig Config = new()
    {
        Architecture = "llama", VocabSize = 61, HiddenSize = 32, IntermediateSize = 48, LayerCount = 3,
        HeadCount = 8, KvHeadCount = 4, HeadDim = 8, MaxContext = 512,
    };

    static Decoder CreateDecoder(int seed)
    {
        var decoder = new Decoder(Config);
        DecoderInitializer.Initialize(decoder, seed);
        // Larger q/k weights give peaked attention, so which positions a head keeps changes its output clearly.
        using var noGrad = no_grad();
        foreach (var (name, p) in decoder.named_parameters())
            if (name.Contains("q_proj", StringComparison.Ordinal) || name.Contains("k_proj", StringComparison.Ordinal)) p.mul_(12);
        return decoder;
    }

    /// <summary>Random ascending positions per head: one head keeps none, one keeps the whole prompt, the rest a random count.</summary>
    static long[][] RandomPositions(Random random, int heads, int promptLength)
    {
        var sizes = Enumerable.Range(0, heads).Select(_ => random.Next(1, promptLength)).ToArray();
        int none = random.Next(heads), all = (none + 1 + random.Next(heads - 1)) % heads;
        sizes[none] = 0;
        sizes[all] = promptLength;
        return sizes.Select(n => Enumerable.Range(0, promptLength).OrderBy(_ => random.Next()).Take(n).Order().Select(p => (long)p).ToArray()).ToArray();
    }

    static Tensor Ids(params int[] ids) => tensor(ids.Select(i => (long)i).ToArray()).unsqueeze(0);

    [Theory]
    [InlineData(1, 40)]
    [InlineData(2, 57)]
    [InlineData(3, 23)]
    public void DecodeOverRandomPerHeadBudgetsEqualsAttentionRestrictedToTheKeptPositions(int seed, int promptLength)
    {
        using var decoder = CreateDecoder(seed);
        var random = new Random(seed);
        var prompt = Enumerable.Range(0, promptLength).Select(_ => random.Next(Config.VocabSize)).ToArray();
        var positions = RandomPositions(random, Config.LayerCount * Config.KvHeadCount, promptLength);

        using var noGrad = no_grad();
        using var reference = new MaskedReferenceCache(Config.LayerCount, Config.KvHeadCount, Config.HeadDim);
        decoder.Hidden(Ids(prompt), 0, reference).Dispose();
        reference.Restrict(positions);

        using var session = new InferenceSession(decoder, promptLength + 64);
        session.Prefill(prompt, chunkSize: 16).Dispose();
        // Reserve 3: the buffers grow (and copy) twice during the steps below.
        session.ReplaceCache(HeadBudgetedKvCache.FromDense((DenseKvCache)session.Cache, positions, reserve: 3));
        using var full = new InferenceSession(decoder, promptLength + 64);
        full.Prefill(prompt, chunkSize: 64).Dispose();

        double worst = 0, fromFull = 0;
        void Compare(Tensor ours, Tensor theirs, Tensor dense)
        {
            var a = ParityModels.Rows(ours);
            var b = ParityModels.Rows(theirs);
            worst = Math.Max(worst, ParityMetrics.WorstRelativeError(a, b));
            fromFull = Math.Max(fromFull, ParityMetrics.WorstRelativeError(ParityModels.Rows(dense), b));
        }

        for (int step = 0; step < 30; step++)
        {
            using var scope = NewDisposeScope();
            int token = random.Next(Config.VocabSize);
            long position = session.Position;
            var ours = session.Step(token);
            var theirs = decoder.Logits(decoder.Hidden(Ids(token), position, reference)[0, -1]);
            Compare(ours.unsqueeze(0), theirs.unsqueeze(0), full.Step(token).unsqueeze(0));
        }
        // A later turn: several tokens at once, causal among themselves, then single steps again.
        {
            using var scope = NewDisposeScope();
            var turn = Enumerable.Range(0, 6).Select(_ => random.Next(Config.VocabSize)).ToArray();
            long position = session.Position;
            var ours = decoder.Logits(decoder.Hidden(Ids(turn), position, session.Cache)[0]);
            var theirs = decoder.Logits(decoder.Hidden(Ids(turn), position, reference)[0]);
            var dense = decoder.Logits(decoder.Hidden(Ids(turn), position, full.Cache)[0]);
            Compare(ours, theirs, dense);
            position += turn.Length;
            for (int step = 0; step < 5; step++, position++)
            {
                int token = random.Next(Config.VocabSize);
                Compare(decoder.Logits(decoder.Hidden(Ids(token), position, session.Cache)[0]),
                    decoder.Logits(decoder.Hidden(Ids(token), position, reference)[0]),
                    decoder.Logits(decoder.Hidden(Ids(token), position, full.Cache)[0]));
            }
        }

        output.WriteLine($"kept per head: {string.Join(" ", positions.Select(p => p.Length))} of {promptLength}");
        output.WriteLine($"worst relative logits error vs the masked reference: {ParityModels.Format(worst)}; the full cache differs by {ParityModels.Format(fromFull)}");
        Assert.True(worst <= LogitsTolerance, $"compressed cache vs masked reference: {worst}");
        // The budgets really matter here: a cache that kept other positions (or all) would be far off.
        Assert.True(fromFull > 10_000 * LogitsTolerance, $"the kept positions hardly change the logits ({fromFull}): the check has no power");
        for (int l = 0; l < Config.LayerCount; l++)
            for (int h = 0; h < Config.KvHeadCount; h++)
                Assert.Equal(reference.TokenCount(l, h), session.Cache.TokenCount(l, h));
    }

    [Fact]
    public void CompressorOutputEqualsTheMaskedReferenceOverItsKeptPositions()
    {
        using var decoder = CreateDecoder(5);
        var random = new Random(5);
        var prompt = Enumerable.Range(0, 50).Select(_ => random.Next(Config.VocabSize)).ToArray();
        using var noGrad = no_grad();
        using var session = new InferenceSession(decoder, 100, observationWindow: 4);
        session.Prefill(prompt, chunkSize: 16).Dispose();
        var compressor = HeadBudgetCompressor.WithSnapKv(new AdaSnapKvPolicy(), meanBudget: 12, new SnapKvOptions { Window = 4 }, reserve: 8);
        var cache = (HeadBudgetedKvCache)compressor.Compress((DenseKvCache)session.Cache).Cache;
        session.ReplaceCache(cache);
        var positions = Enumerable.Range(0, Config.LayerCount * Config.KvHeadCount)
            .Select(i => cache.KeptPositions(i / Config.KvHeadCount, i % Config.KvHeadCount).ToArray()).ToArray();
        Assert.Contains(positions, p => p.Length != positions[0].Length); // Ada gave the heads different budgets

        using var reference = new MaskedReferenceCache(Config.LayerCount, Config.KvHeadCount, Config.HeadDim);
        decoder.Hidden(Ids(prompt), 0, reference).Dispose();
        reference.Restrict(positions);
        double worst = 0;
        for (int step = 0; step < 20; step++)
        {
            using var scope = NewDisposeScope();
            int token = random.Next(Config.VocabSize);
            long position = session.Position;
            var ours = session.Step(token);
            var theirs = decoder.Logits(decoder.Hidden(Ids(token), position, reference)[0, -1]);
            worst = Math.Max(worst, ParityMetrics.RelativeError(ours.data<float>().ToArray(), theirs.data<float>().ToArray()));
        }
        output.WriteLine($"worst relative logits error = {ParityModels.Format(worst)}");
        Assert.True(worst <= LogitsTolerance, $"{worst}");
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void AttendOnRandomTensorsEqualsAPlainMaskedSoftmax(int seed)
    {
        const int kvHeads = 3, heads = 6, dim = 8, prompt = 20;
        manual_seed(seed);
        var random = new Random(seed);
        using var noGrad = no_grad();
        using var dense = new DenseKvCache(1, kvHeads, dim, prompt, ScalarType.Float32);
        using var reference = new MaskedReferenceCache(1, kvHeads, dim);
        using (NewDisposeScope())
        {
            var q = randn(heads, prompt, dim);
            var k = randn(kvHeads, prompt, dim);
            var v = randn(kvHeads, prompt, dim);
            dense.Attend(0, q, k, v);
            reference.Attend(0, q, k, v);
        }
        var positions = RandomPositions(random, kvHeads, prompt);
        reference.Restrict(positions);
        using var cache = HeadBudgetedKvCache.FromDense(dense, positions, reserve: 2);

        float worst = 0;
        foreach (int steps in new[] { 1, 1, 3, 1, 4, 1, 1 })
        {
            using var scope = NewDisposeScope();
            // Scaled queries: peaked attention, so one misplaced key shows.
            var q = randn(heads, steps, dim) * 3;
            var k = randn(kvHeads, steps, dim);
            var v = randn(kvHeads, steps, dim);
            var ours = cache.Attend(0, q, k, v);
            var theirs = reference.Attend(0, q, k, v);
            Assert.Equal(theirs.shape, ours.shape);
            worst = Math.Max(worst, (ours - theirs).abs().max().item<float>());
        }
        output.WriteLine($"kept per head: {string.Join(" ", positions.Select(p => p.Length))} of {prompt}; worst |Δ| = {worst:E2}");
        Assert.True(worst <= AttentionTolerance, $"max |ours − reference| = {worst}");
        for (int h = 0; h < kvHeads; h++) Assert.Equal(positions[h].Length + 12, cache.TokenCount(0, h));
    }
}
