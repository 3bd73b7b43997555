using CoKv.Cache;
using CoKv.Compression;
using CoKv.Generation;
using static TorchSharp.torch;

namespace CoKv.Tests;

/// <summary>The look-ahead before compression: greedy answer tokens decoded on the full cache for their queries only.</summary>
public sealed class LookaheadTests
{
    const int Window = 6, Ahead = 5;
    static readonly HashSet<int> NoStops = [];

    /// <summary>The reference: a session that remembers every query, prefilled and then decoded greedily for real.</summary>
    static (Tensor Queries, Tensor Keys, int[] Tokens, float[] FirstStepLogits) DecodedForReal(int[] prompt, int layer)
    {
        using var decoder = CacheTestModels.Create();
        using var session = new InferenceSession(decoder, prompt.Length + Ahead, observationWindow: prompt.Length + Ahead);
        var logits = session.Prefill(prompt, chunkSize: 7);
        var tokens = new List<int>();
        float[]? first = null;
        for (int i = 0; i < Ahead; i++)
        {
            tokens.Add((int)logits.argmax().item<long>());
            logits.Dispose();
            logits = session.Step(tokens[^1]);
            first ??= logits.data<float>().ToArray();
        }
        logits.Dispose();
        var dense = (DenseKvCache)session.Cache;
        return (dense.WindowQueries(layer).clone(), dense.Keys(layer).narrow(1, 0, prompt.Length).clone(), tokens.ToArray(), first!);
    }

    /// <summary>A session prefilled with the prompt, remembering the window's and the look-ahead's queries.</summary>
    sealed class Prefilled : IDisposable
    {
        public Prefilled(int[] prompt, int observationWindow = Window + Ahead)
        {
            Decoder = CacheTestModels.Create();
            Session = new InferenceSession(Decoder, prompt.Length + Ahead, observationWindow);
            Logits = Session.Prefill(prompt, chunkSize: 7);
        }

        public CoKv.Decoding.Decoder Decoder { get; }
        public InferenceSession Session { get; }
        public Tensor Logits { get; }
        public DenseKvCache Dense => (DenseKvCache)Session.Cache;

        public void Dispose()
        {
            Logits.Dispose();
            Session.Dispose();
            Decoder.Dispose();
        }
    }

    [Fact]
    public void TheLookaheadKeepsTheQueriesOfTheGreedyAnswerAndForgetsItsTokens()
    {
        var prompt = CacheTestModels.Prompt(40, seed: 31);
        var (queries, keys, _, firstStep) = DecodedForReal(prompt, layer: 1);

        using var run = new Prefilled(prompt);
        var (session, logits, dense) = (run.Session, run.Logits, run.Dense);
        Assert.Equal(Ahead, session.LookAhead(logits, Ahead, Window, NoStops));

        Assert.Equal(prompt, session.Tokens);
        Assert.Equal(prompt.Length, dense.Length);
        Assert.True(dense.LookaheadQueries(1)!.allclose(queries.narrow(1, prompt.Length, Ahead), rtol: 1e-4, atol: 1e-5));
        Assert.True(dense.WindowQueries(1).allclose(queries.narrow(1, prompt.Length - Window, Window), rtol: 1e-4, atol: 1e-5));
        Assert.True(dense.Keys(1).allclose(keys, rtol: 1e-4, atol: 1e-5));
        // The answer decodes as if there had been no look-ahead: its keys and values were forgotten, not kept.
        using var next = session.Step((int)logits.argmax().item<long>());
        Assert.True(ParityMetrics.RelativeError(next.data<float>().ToArray(), firstStep) <= 1e-4);
    }

    [Fact]
    public void AStopIdEndsTheLookaheadAndACacheWithoutRoomForItsQueriesIsLeftAlone()
    {
        var prompt = CacheTestModels.Prompt(40, seed: 31);
        var (_, _, tokens, _) = DecodedForReal(prompt, layer: 0);
        using var run = new Prefilled(prompt);
        int stop = tokens[2];
        int expected = Array.IndexOf(tokens, stop);
        Assert.Equal(expected, run.Session.LookAhead(run.Logits, Ahead, Window, new HashSet<int> { stop }));
        Assert.Equal(expected, run.Dense.LookaheadQueries(0)?.shape[1] ?? 0);

        using var narrow = new Prefilled(prompt, observationWindow: Window);
        Assert.Equal(0, narrow.Session.LookAhead(narrow.Logits, Ahead, Window, NoStops));
        Assert.Null(narrow.Dense.LookaheadQueries(0));
    }

    /// <summary>SnapKV's votes with a look-ahead, by loops: the mean over the query heads of a KV head and over the
    /// window's rows (causal attention over the prompt) and the look-ahead's rows (attention over the prompt alone).</summary>
    static double[,] BruteForce(Tensor queries, Tensor keys, int promptLength)
    {
        long heads = queries.shape[0], kvHeads = keys.shape[0], group = heads / kvHeads, dim = keys.shape[2];
        int prefix = promptLength - Window;
        var rows = Enumerable.Range(promptLength - Window, Window + Ahead).ToArray();
        var result = new double[kvHeads, prefix];
        for (int h = 0; h < heads; h++)
        {
            var q = queries[h].data<float>().ToArray();
            var k = keys[h / (int)group].data<float>().ToArray();
            foreach (var p in rows)
            {
                int visible = Math.Min(p + 1, promptLength);
                var logits = Enumerable.Range(0, visible).Select(j => Enumerable.Range(0, (int)dim).Sum(d => (double)q[p * dim + d] * k[j * dim + d]) / Math.Sqrt(dim)).ToArray();
                double max = logits.Max(), sum = logits.Sum(x => Math.Exp(x - max));
                for (int j = 0; j < prefix; j++) result[h / group, j] += Math.Exp(logits[j] - max) / sum / (group * rows.Length);
            }
        }
        return result;
    }

    [Fact]
    public void ScoresWithALookaheadAreTheWindowAndLookaheadRowsAveraged()
    {
        var prompt = CacheTestModels.Prompt(40, seed: 37);
        var (queries, keys, _, _) = DecodedForReal(prompt, layer: 1);
        var expected = BruteForce(queries, keys, prompt.Length);

        using var run = new Prefilled(prompt);
        run.Session.LookAhead(run.Logits, Ahead, Window, NoStops);
        var dense = run.Dense;
        using var actual = new SnapKvScorer(new SnapKvOptions { Window = Window, Lookahead = Ahead, SpreadWeight = 0 }).Score(dense, 1);
        using var without = new SnapKvScorer(new SnapKvOptions { Window = Window, Lookahead = 0, SpreadWeight = 0 }).Score(dense, 1);
        Assert.Equal(new long[] { keys.shape[0], prompt.Length - Window }, actual.shape);
        for (int h = 0; h < keys.shape[0]; h++)
            for (int j = 0; j < prompt.Length - Window; j++)
                Assert.Equal(expected[h, j], actual[h, j].item<float>(), 2e-6);
        Assert.False(actual.allclose(without, rtol: 1e-3, atol: 1e-6)); // the look-ahead moved the votes
    }

    /// <summary>
    /// A handmade chain (1 KV head, head size 4): the question's window reads position 40 strongly and 30 weakly;
    /// the answer, once it starts, reads position 12 (a later hop the question never names). Every other key is zero.
    /// </summary>
    static DenseKvCache ChainWithAnswer(int answerTokens)
    {
        const int length = 64, dim = 4, window = 4;
        var keys = new float[length + answerTokens, dim];
        keys[12, 1] = 8; keys[40, 2] = 8; keys[30, 2] = 4;
        var queries = new float[length + answerTokens, dim];
        for (int p = length - window; p < length; p++) queries[p, 2] = 1;
        for (int p = length; p < length + answerTokens; p++) queries[p, 1] = 1;
        var cache = new DenseKvCache(1, 1, dim, length + answerTokens, ScalarType.Float32, observationWindow: window + answerTokens);
        using var scope = NewDisposeScope();
        var k = tensor(keys.Cast<float>().ToArray()).reshape(1, length + answerTokens, dim);
        cache.Attend(0, tensor(queries.Cast<float>().ToArray()).reshape(1, length + answerTokens, dim), k, k.clone());
        cache.EndLookahead(length);
        return cache;
    }

    static long[] Kept(DenseKvCache dense, int lookahead)
    {
        var compressor = HeadBudgetCompressor.WithSnapKv(new SnapKvPolicy(), 6, new SnapKvOptions { Window = 4, Lookahead = lookahead, SpreadWeight = 0 });
        using var cache = (HeadBudgetedKvCache)compressor.Compress(dense).Cache;
        return cache.KeptPositions(0, 0).ToArray()[..^4];
    }

    [Fact]
    public void TheLookaheadKeepsWhatTheAnswerReadsAndTheWindowAloneDoesNot()
    {
        using var dense = ChainWithAnswer(answerTokens: 2);
        Assert.Equal(64, dense.Length);
        Assert.Equal([30L, 40L], Kept(dense, 0));
        Assert.Equal([12L, 40L], Kept(dense, 2));
        Assert.Equal(2, HeadBudgetCompressor.WithSnapKv(new SnapKvPolicy(), 6, new SnapKvOptions { Lookahead = 2 }).Lookahead);
    }

    [Fact]
    public void EndingALookaheadThatWasNotRememberedIsRefusedByName()
    {
        using var dense = new DenseKvCache(1, 1, 4, 20, ScalarType.Float32, observationWindow: 2);
        using (var x = ones(1, 10, 4)) dense.Attend(0, x, x, x).Dispose();
        var error = Assert.Throws<InvalidOperationException>(() => dense.EndLookahead(5));
        Assert.Contains("observation window", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => dense.EndLookahead(11));
        Assert.Contains("Lookahead", Assert.Throws<ArgumentOutOfRangeException>(() => new SnapKvOptions { Lookahead = -1 }.Validate()).Message);
        Assert.Contains("Lookahead", Assert.Throws<ArgumentOutOfRangeException>(() => new SnapKvOptions { Lookahead = SnapKvOptions.MaxLookahead + 1 }.Validate()).Message);
    }
}
