using CoKv.Cache;
using CoKv.Compression;
using CoKv.Generation;

namespace CoKv.Tests;

/// <summary>The engine's request handling on stories260K: stops, limits, cancellation, the queue, prefix reuse.</summary>
[Collection(ParityCollection.Name)]
public sealed class EngineTests : IDisposable
{
    readonly LocalModel _model = LocalModel.Load(TestPaths.SharedModel("stories260K.gguf"), new LocalModelOptions { MaxQueuedRequests = 1 });
    readonly string _reference = File.ReadAllText(TestPaths.SharedModel("stories260K.greedy-once-upon-a-time.txt"))["Once upon a time".Length..^1];

    public void Dispose() => _model.Dispose();

    IReadOnlyList<int> Prompt => _model.Tokenizer.Encode("Once upon a time");

    [Fact]
    public void Exposes_the_model_facts()
    {
        Assert.Equal("stories260K", _model.ModelId);
        Assert.Equal(512, _model.ContextLength);
        Assert.Equal(64, _model.Fingerprint.Length);
        Assert.Equal(CoKv.Chat.ChatTemplateFamily.Plain, _model.ChatTemplateFamily);
        var chat = _model.EncodeChat([CoKv.Chat.ChatTurn.User("Hi")], addGenerationPrompt: true);
        Assert.Equal(1, chat[0]);
        Assert.Equal("User: Hi\nAssistant:", _model.Tokenizer.Decode(chat.Skip(1)).TrimStart());
    }

    [Fact]
    public async Task A_stop_string_ends_generation_and_is_not_emitted()
    {
        var deltas = new List<string>();
        GenerationResult? result = null;
        await foreach (var u in _model.GenerateAsync(new GenerationRequest { PromptTokens = Prompt, MaxNewTokens = 150, StopStrings = ["park"] }))
        {
            deltas.Add(u.TextDelta);
            result = u.Final ?? result;
        }
        Assert.NotNull(result);
        Assert.Equal(FinishReason.Stop, result.FinishReason);
        Assert.Equal(_reference[.._reference.IndexOf("park", StringComparison.Ordinal)], result.Text);
        Assert.Equal(result.Text, string.Concat(deltas));
        Assert.DoesNotContain("par", string.Concat(deltas)[^4..]);
    }

    [Fact]
    public async Task Max_new_tokens_ends_with_length()
    {
        var result = await _model.GenerateTextAsync(new GenerationRequest { PromptTokens = Prompt, MaxNewTokens = 10 });
        Assert.Equal(FinishReason.Length, result.FinishReason);
        Assert.Equal(10, result.Tokens.Count);
        Assert.StartsWith(result.Text, _reference);
        Assert.Equal(5, result.Stats.PromptTokens);
        Assert.True(result.Stats.DecodeTokensPerSecond > 0 && result.Stats.PrefillTokensPerSecond > 0);
        Assert.True(result.Stats.KvBytes > 0);
    }

    [Fact]
    public async Task A_full_context_ends_with_length()
    {
        var prompt = Prompt.Concat(Enumerable.Repeat(300, 500)).ToArray();
        var result = await _model.GenerateTextAsync(new GenerationRequest { PromptTokens = prompt });
        Assert.Equal(FinishReason.Length, result.FinishReason);
        Assert.Equal(512 - prompt.Length + 1, result.Tokens.Count); // the last token is sampled, never fed back
    }

    [Fact]
    public void A_prompt_longer_than_the_context_is_refused_before_any_work()
    {
        var e = Assert.Throws<ArgumentException>(() => _model.GenerateAsync(new GenerationRequest { PromptTokens = new int[600] }));
        Assert.Contains("600", e.Message);
        Assert.Contains("512", e.Message);
    }

    [Fact]
    public async Task Cancellation_mid_stream_stops_and_the_engine_serves_the_next_request()
    {
        using var cts = new CancellationTokenSource();
        int seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in _model.GenerateAsync(new GenerationRequest { PromptTokens = Prompt, MaxNewTokens = 400 }, cts.Token))
                if (++seen == 5) cts.Cancel();
        });
        Assert.Equal(5, seen);
        var next = await _model.GenerateTextAsync(new GenerationRequest { PromptTokens = Prompt, MaxNewTokens = 3 });
        Assert.Equal(3, next.Tokens.Count);
    }

    [Fact]
    public async Task A_full_queue_is_refused_with_model_busy()
    {
        // The first request is held inside its compression step until released, so it is on the worker for certain
        // while the queue (MaxQueuedRequests = 1) fills: no reliance on how long its generation takes.
        using var gate = new GateCompressor();
        var running = _model.GenerateTextAsync(new GenerationRequest { PromptTokens = Prompt, MaxNewTokens = 3, Compression = gate });
        await gate.Entered.Task.WaitAsync(TimeSpan.FromMinutes(2));
        var waiting = _model.GenerateTextAsync(new GenerationRequest { PromptTokens = Prompt, MaxNewTokens = 2 });
        var e = await Assert.ThrowsAsync<ModelBusyException>(() => _model.GenerateTextAsync(new GenerationRequest { PromptTokens = Prompt, MaxNewTokens = 2 }));
        Assert.Contains("MaxQueuedRequests", e.Message);
        Assert.False(waiting.IsCompleted);
        gate.Release.Set();
        Assert.Equal(3, (await running).Tokens.Count);
        Assert.Equal(2, (await waiting).Tokens.Count); // served once the first one finished
    }

    [Fact]
    public async Task Chunked_prefill_gives_the_same_text()
    {
        var prompt = _model.Tokenizer.Encode(File.ReadAllText(TestPaths.SharedModel("stories260K.greedy-once-upon-a-time.txt"))[..300]);
        var whole = await _model.GenerateTextAsync(new GenerationRequest { PromptTokens = prompt, MaxNewTokens = 30 });
        var chunked = await _model.GenerateTextAsync(new GenerationRequest { PromptTokens = prompt, MaxNewTokens = 30, PrefillChunkSize = 7 });
        Assert.Equal(whole.Tokens, chunked.Tokens);
    }

    [Fact]
    public async Task A_follow_up_prompt_reuses_the_kept_cache()
    {
        var first = await _model.GenerateTextAsync(new GenerationRequest { PromptTokens = Prompt, MaxNewTokens = 20, SessionKey = "chat" });
        // The cache holds the prompt and every generated token but the last (sampled, never fed back).
        var followUp = Prompt.Concat(first.Tokens).Concat(_model.Tokenizer.Encode(" The end.", addBos: false)).ToArray();
        var reused = await _model.GenerateTextAsync(new GenerationRequest { PromptTokens = followUp, MaxNewTokens = 20, SessionKey = "chat" });
        var fresh = await _model.GenerateTextAsync(new GenerationRequest { PromptTokens = followUp, MaxNewTokens = 20 });
        Assert.Equal(Prompt.Count + first.Tokens.Count - 1, reused.Stats.ReusedPromptTokens);
        Assert.Equal(0, fresh.Stats.ReusedPromptTokens);
        Assert.Equal(fresh.Tokens, reused.Tokens);

        // A prompt that does not extend the kept tokens starts afresh.
        var other = await _model.GenerateTextAsync(new GenerationRequest { PromptTokens = _model.Tokenizer.Encode("One day"), MaxNewTokens = 5, SessionKey = "chat" });
        Assert.Equal(0, other.Stats.ReusedPromptTokens);
    }

    [Fact]
    public async Task A_compressor_runs_between_prefill_and_decode_and_its_cache_is_reused()
    {
        var compressor = new RecordingCompressor();
        var request = new GenerationRequest { PromptTokens = Prompt, MaxNewTokens = 12, Compression = compressor, SessionKey = "c" };
        var result = await _model.GenerateTextAsync(request);
        Assert.Equal(1, compressor.Calls);
        Assert.Equal(5, compressor.SeenWindow); // the window is the last 8 queries, and the prompt has 5
        Assert.Equal("recording", result.Stats.CompressionReport?.Policy);
        Assert.Equal(_reference[..result.Text.Length], result.Text);

        var followUp = Prompt.Concat(result.Tokens).ToArray();
        var next = await _model.GenerateTextAsync(request with { PromptTokens = followUp });
        Assert.Equal(followUp.Length - 1, next.Stats.ReusedPromptTokens);
        Assert.Equal(_reference[..(result.Text.Length + next.Text.Length)], result.Text + next.Text);
    }

    [Fact]
    public async Task A_lookahead_shows_the_compressor_the_answers_queries_and_leaves_no_token_behind()
    {
        var compressor = new RecordingCompressor(lookahead: 4);
        var request = new GenerationRequest { PromptTokens = Prompt, MaxNewTokens = 12, Compression = compressor, SessionKey = "a" };
        var result = await _model.GenerateTextAsync(request);
        Assert.Equal((Prompt.Count, 5, 4), (compressor.SeenLength, compressor.SeenWindow, compressor.SeenLookahead));
        Assert.Equal(_reference[..result.Text.Length], result.Text);

        var followUp = Prompt.Concat(result.Tokens).ToArray();
        var next = await _model.GenerateTextAsync(request with { PromptTokens = followUp });
        Assert.Equal(followUp.Length - 1, next.Stats.ReusedPromptTokens);
        Assert.Equal(_reference[..(result.Text.Length + next.Text.Length)], result.Text + next.Text);
    }

    /// <summary>Keeps the dense cache as it is and records what it was given.</summary>
    sealed class RecordingCompressor(int lookahead = 0) : ICacheCompressor
    {
        public int Calls, SeenWindow, SeenLookahead;
        public long SeenLength;
        public int ObservationWindow => 8;
        public int Lookahead => lookahead;

        public CompressionOutcome Compress(DenseKvCache dense)
        {
            Calls++;
            SeenWindow = (int)dense.WindowQueries(0).shape[1];
            SeenLookahead = (int)(dense.LookaheadQueries(0)?.shape[1] ?? 0);
            SeenLength = dense.Length;
            var perHead = Enumerable.Repeat((int)dense.Length, dense.LayerCount * dense.KvHeadCount).ToArray();
            return new CompressionOutcome(dense, new CompressionReport("recording", dense.Length, ObservationWindow, perHead));
        }
    }

    /// <summary>Keeps the dense cache, after signalling that the worker reached it and waiting to be released.</summary>
    sealed class GateCompressor : ICacheCompressor, IDisposable
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ManualResetEventSlim Release { get; } = new();
        public int ObservationWindow => 0;

        public CompressionOutcome Compress(DenseKvCache dense)
        {
            Entered.TrySetResult();
            Release.Wait(TimeSpan.FromMinutes(2));
            var perHead = Enumerable.Repeat((int)dense.Length, dense.LayerCount * dense.KvHeadCount).ToArray();
            return new CompressionOutcome(dense, new CompressionReport("gate", dense.Length, 0, perHead));
        }

        public void Dispose() => Release.Dispose();
    }
}
