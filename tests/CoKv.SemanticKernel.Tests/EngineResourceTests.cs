using CoKv.Cache;
using CoKv.Compression;
using CoKv.Generation;
using CoKv.SemanticKernel.Engine;
using CoKv.SemanticKernel.Selection;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TorchSharp;

namespace CoKv.SemanticKernel.Tests;

/// <summary>
/// What a request holds and gives back: its cache after a cancellation, the caches kept for conversations past
/// SessionCacheCount, its place in a full queue. Native memory is counted as live TorchSharp tensors
/// (<see cref="torch.Tensor.TotalCount"/>), which a cache that is not disposed keeps up. The engine serves requests
/// one after another, so a request that completes proves that the one before it has been cleaned up.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class EngineResourceTests
{
    static ChatOptions Options(string conversation, int maxTokens) => new() { MaxOutputTokens = maxTokens, ConversationId = conversation };

    /// <summary>Live tensors, once the garbage of earlier tests is finalized (only baselines: a later collection
    /// would also free a cache the engine forgot to dispose, and hide it).</summary>
    static long Baseline()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return torch.Tensor.TotalCount;
    }

    [Fact]
    public async Task A_cancelled_request_frees_its_cache()
    {
        using var host = TestHosts.Build(o => o.SessionCacheCount = 0);
        var client = host.Services.GetRequiredService<IChatClient>();
        await client.GetResponseAsync("Once upon a time", Options("warm-up", 4)); // loads the model, warms the code paths
        long baseline = Baseline();

        using var cts = new CancellationTokenSource();
        long whileRunning = 0;
        var received = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(TestHosts.Story, Options("cancelled", 400), cts.Token))
                if (update.Text.Length > 0 && ++received == 3)
                {
                    whileRunning = torch.Tensor.TotalCount;
                    cts.Cancel();
                }
        });
        Assert.Equal(3, received);
        Assert.True(whileRunning > baseline, $"the running request holds its cache: {whileRunning} live tensors vs {baseline}");

        // Served after the cancelled one has left the worker.
        var next = await client.GetResponseAsync("Once upon a time", Options("next", 2));
        Assert.Equal(2, next.Usage!.OutputTokenCount);
        Assert.Equal(baseline, torch.Tensor.TotalCount);
    }

    [Fact]
    public async Task Conversations_past_SessionCacheCount_lose_their_cache_oldest_first()
    {
        using var host = TestHosts.Build(o =>
        {
            o.SessionCacheCount = 2;
            o.FallbackPolicy = BudgetPolicyNames.Full; // every kept session the same dense cache, so counts compare
        });
        var client = host.Services.GetRequiredService<IChatClient>();

        async Task<(ChatResponse Response, List<ChatMessage> Messages)> Turn(string conversation, List<ChatMessage>? earlier, string text)
        {
            var messages = new List<ChatMessage>(earlier ?? []) { new(ChatRole.User, text) };
            var response = await client.GetResponseAsync(messages, Options(conversation, 4));
            messages.AddRange(response.Messages);
            return (response, messages);
        }

        await Turn("warm-up", null, "Once upon a time"); // kept: [warm-up]
        long one = Baseline();
        var a = await Turn("a", null, "Lily had a red ball."); // [a, warm-up]
        long two = torch.Tensor.TotalCount;
        var b = await Turn("b", null, "Max was a big dog."); // [b, a]: warm-up's cache freed
        Assert.Equal(two, torch.Tensor.TotalCount);
        var c = await Turn("c", null, "The sun was hot."); // [c, b]: a's cache freed
        Assert.True(two > one, $"a kept conversation holds tensors: {one} → {two}");
        Assert.Equal(two, torch.Tensor.TotalCount);

        // a was pushed out: its follow-up is prefilled from scratch; c is still kept and only its new tokens run.
        var aNext = await Turn("a", a.Messages, "What did she do?");
        Assert.Equal(0, aNext.Response.Usage!.CachedInputTokenCount);
        var cNext = await Turn("c", c.Messages, "What did they do?");
        Assert.True(cNext.Response.Usage!.CachedInputTokenCount >= c.Response.Usage!.InputTokenCount,
            $"reused {cNext.Response.Usage.CachedInputTokenCount} of {cNext.Response.Usage.InputTokenCount}");
        Assert.Equal(two, torch.Tensor.TotalCount);
    }

    [Fact]
    public async Task A_full_queue_refuses_at_once_while_the_running_request_and_the_queued_one_are_served()
    {
        var gate = new GatedCompressors();
        using var host = TestHosts.Build(o => o.MaxQueuedRequests = 1, services: s => s.AddSingleton<ICacheCompressorFactory>(gate));
        var client = host.Services.GetRequiredService<IChatClient>();
        var options = new ChatOptions { MaxOutputTokens = 3 };
        using var telemetry = new TelemetryRecorder();

        // The first request holds the engine's worker inside its compression until released.
        var running = client.GetResponseAsync(TestHosts.Story, options);
        await gate.Entered.WaitAsync(TimeSpan.FromMinutes(1));
        // Of two more, one waits in the queue and the other is refused at once: the only one that can end while the
        // worker is held.
        var second = client.GetResponseAsync(TestHosts.Story, options);
        var third = client.GetResponseAsync(TestHosts.Story, options);
        var first = await Task.WhenAny(second, third).WaitAsync(TimeSpan.FromMinutes(1));
        var refused = await Assert.ThrowsAsync<ModelBusyException>(() => first);
        // The message names the option the user sets, not the engine's.
        Assert.Contains("CoKvOptions.MaxQueuedRequests", refused.Message);
        var queued = first == second ? third : second;
        Assert.False(running.IsCompleted);
        Assert.False(queued.IsCompleted);
        // Metrics: one rejection; one request waiting in this model's queue.
        var rejection = Assert.Single(telemetry.Measurements(CoKvTelemetry.BusyRejections));
        Assert.Equal(1, rejection.Value);
        Assert.Equal(typeof(ModelBusyException).FullName, rejection.Tag(GenAiTags.ErrorType));
        telemetry.Observe();
        Assert.Contains(telemetry.Measurements(CoKvTelemetry.QueueLength), m => (string?)m.Tag(GenAiTags.RequestModel) == "stories260K" && m.Value == 1);
        Assert.Contains(telemetry.Measurements(CoKvTelemetry.OperationDuration), m => (string?)m.Tag(GenAiTags.ErrorType) == typeof(ModelBusyException).FullName);

        gate.Release();
        Assert.Equal(3, (await running).Usage!.OutputTokenCount);
        Assert.Equal(3, (await queued).Usage!.OutputTokenCount);
    }

    /// <summary>The usual compressors, the first of which waits for <see cref="Release"/> before compressing.</summary>
    sealed class GatedCompressors : ICacheCompressorFactory
    {
        readonly CacheCompressorFactory _inner = new();
        readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        readonly ManualResetEventSlim _release = new();
        int _created;

        public Task Entered => _entered.Task;
        public void Release() => _release.Set();

        public ICacheCompressor? Create(BudgetSelection selection, int reserveTokens)
        {
            var inner = _inner.Create(selection, reserveTokens) ?? throw new InvalidOperationException("the test expects a compressing policy");
            return Interlocked.Increment(ref _created) == 1 ? new Gated(inner, this) : inner;
        }

        sealed class Gated(ICacheCompressor inner, GatedCompressors owner) : ICacheCompressor
        {
            public int ObservationWindow => inner.ObservationWindow;

            public CompressionOutcome Compress(DenseKvCache dense)
            {
                owner._entered.TrySetResult();
                owner._release.Wait();
                return inner.Compress(dense);
            }
        }
    }
}
