using System.Collections.Concurrent;
using System.Diagnostics;
using CoKv.SemanticKernel.Profiling;
using CoKv.Tests;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace CoKv.SemanticKernel.Tests;

/// <summary>
/// The connector's metrics, spans and log lines for real requests on stories260K, checked against the response's own
/// usage and metadata; and the M.E.AI middleware composed on the builder AddCoKvChatClient returns.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class TelemetryTests
{
    const string AppSource = "cokv-tests-app";

    static IHost Build(LogSink logs, Action<ChatClientBuilder>? pipeline = null, string? serviceId = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Debug).AddProvider(logs);
        var chat = builder.Services.AddCoKvChatClient(o => TestHosts.Configure(o, TestPaths.TempDir("cokv-telemetry")), serviceId);
        pipeline?.Invoke(chat);
        builder.Services.AddKernel();
        return builder.Build();
    }

    [Fact]
    public async Task One_request_publishes_GenAI_and_CoKv_metrics_spans_and_logs_that_match_its_metadata()
    {
        var logs = new LogSink();
        using var host = Build(logs, chat => chat.UseLogging().UseOpenTelemetry(sourceName: AppSource));
        var client = host.Services.GetRequiredService<IChatClient>();
        // The middleware wraps the CoKv client, which stays reachable through the pipeline.
        Assert.NotNull(client.GetService<OpenTelemetryChatClient>());
        Assert.NotNull(client.GetService<CoKvChatClient>());

        using var recorder = new TelemetryRecorder(AppSource);
        var response = await client.GetResponseAsync(TestHosts.Story, new ChatOptions { MaxOutputTokens = 6 });
        var facts = response.AdditionalProperties!;
        var usage = response.Usage!;
        Assert.False(response.Text.StartsWith(' '), $"'{response.Text}' starts with a space");
        Assert.Equal("ada", facts[CoKvMetadataKeys.Policy]);

        // The span: GenAI attributes, CoKv's own, and the app's OpenTelemetry span (M.E.AI middleware) as its parent.
        var span = Assert.Single(recorder.Spans, s => s.Source.Name == CoKvTelemetry.SourceName && s.DisplayName.StartsWith("chat "));
        Assert.Equal("chat stories260K", span.DisplayName);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal("chat", span.GetTagItem(GenAiTags.OperationName));
        Assert.Equal("cokv", span.GetTagItem(GenAiTags.ProviderName));
        Assert.Equal("stories260K", span.GetTagItem(GenAiTags.RequestModel));
        Assert.Equal(6, span.GetTagItem(GenAiTags.RequestMaxTokens));
        Assert.Equal(response.ResponseId, span.GetTagItem(GenAiTags.ResponseId));
        Assert.Equal(new[] { "length" }, span.GetTagItem(GenAiTags.ResponseFinishReasons));
        Assert.Equal((int)usage.InputTokenCount!, span.GetTagItem(GenAiTags.InputTokens));
        Assert.Equal((int)usage.OutputTokenCount!, span.GetTagItem(GenAiTags.OutputTokens));
        Assert.Equal(facts[CoKvMetadataKeys.Policy], span.GetTagItem(CoKvTags.Policy));
        Assert.Equal(facts[CoKvMetadataKeys.Budget], span.GetTagItem(CoKvTags.Budget));
        Assert.Equal(facts[CoKvMetadataKeys.ProfileReason], span.GetTagItem(CoKvTags.ProfileReason));
        Assert.Equal(facts[CoKvMetadataKeys.KvBytes], span.GetTagItem(CoKvTags.KvBytesKept));
        Assert.Equal(facts[CoKvMetadataKeys.KvBytesFull], span.GetTagItem(CoKvTags.KvBytesFull));
        Assert.Equal(facts[CoKvMetadataKeys.PrefillMs], span.GetTagItem(CoKvTags.PrefillMs));
        Assert.Equal(facts[CoKvMetadataKeys.DecodeMs], span.GetTagItem(CoKvTags.DecodeMs));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        var outer = Assert.Single(recorder.Spans, s => s.Source.Name == AppSource);
        Assert.Equal(outer.SpanId, span.ParentSpanId);
        Assert.Equal(outer.TraceId, span.TraceId);

        // One child span per phase, as long as the metadata says.
        foreach (var (name, key) in new[] { ("cokv.prefill", CoKvMetadataKeys.PrefillMs), ("cokv.compression", CoKvMetadataKeys.CompressionMs), ("cokv.decode", CoKvMetadataKeys.DecodeMs) })
        {
            var phase = Assert.Single(recorder.Spans, s => s.DisplayName == name);
            Assert.Equal(span.SpanId, phase.ParentSpanId);
            Assert.Equal((double)facts[key]!, phase.Duration.TotalMilliseconds, 0.001);
        }

        // GenAI metrics.
        var tokens = recorder.Measurements(CoKvTelemetry.TokenUsage);
        Assert.Equal(2, tokens.Count);
        Assert.Equal(usage.InputTokenCount, (long)Assert.Single(tokens, m => (string?)m.Tag(GenAiTags.TokenType) == "input").Value);
        Assert.Equal(usage.OutputTokenCount, (long)Assert.Single(tokens, m => (string?)m.Tag(GenAiTags.TokenType) == "output").Value);
        Assert.All(tokens, m =>
        {
            Assert.Equal("chat", m.Tag(GenAiTags.OperationName));
            Assert.Equal("cokv", m.Tag(GenAiTags.ProviderName));
            Assert.Equal("stories260K", m.Tag(GenAiTags.RequestModel));
        });
        var duration = Assert.Single(recorder.Measurements(CoKvTelemetry.OperationDuration));
        Assert.Null(duration.Tag(GenAiTags.ErrorType));
        var phases = ((double)facts[CoKvMetadataKeys.PrefillMs]! + (double)facts[CoKvMetadataKeys.CompressionMs]! + (double)facts[CoKvMetadataKeys.DecodeMs]!) / 1000;
        Assert.True(duration.Value >= phases, $"operation {duration.Value} s < its phases {phases} s");

        // CoKv's own metrics.
        Assert.Equal((double)facts[CoKvMetadataKeys.PrefillMs]! / 1000, Assert.Single(recorder.Measurements(CoKvTelemetry.PrefillDuration)).Value, 1e-6);
        Assert.Equal((double)facts[CoKvMetadataKeys.CompressionMs]! / 1000, Assert.Single(recorder.Measurements(CoKvTelemetry.CompressionDuration)).Value, 1e-6);
        Assert.Equal((double)facts[CoKvMetadataKeys.DecodeMs]! / 1000, Assert.Single(recorder.Measurements(CoKvTelemetry.DecodeDuration)).Value, 1e-6);
        var kept = Assert.Single(recorder.Measurements(CoKvTelemetry.KvBytesKept));
        Assert.Equal((long)facts[CoKvMetadataKeys.KvBytes]!, (long)kept.Value);
        Assert.Equal((long)facts[CoKvMetadataKeys.KvBytesFull]!, (long)Assert.Single(recorder.Measurements(CoKvTelemetry.KvBytesFull)).Value);
        Assert.True(kept.Value < (long)facts[CoKvMetadataKeys.KvBytesFull]!, "a budget of 16 tokens per head keeps less than the full cache");
        Assert.Equal("ada", kept.Tag(CoKvTags.Policy));
        Assert.Equal("none", kept.Tag(CoKvTags.Profile));
        Assert.Equal("fallback", kept.Tag(CoKvTags.ProfileReason));

        // Logs: the model load, the selection and the compression summary.
        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Information && l.Text.StartsWith("Loaded stories260K"));
        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Debug && l.Text.Contains("policy ada, profile none (fallback"));
        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Debug && l.Text.Contains($"kept {facts[CoKvMetadataKeys.KvBytes]} of {facts[CoKvMetadataKeys.KvBytesFull]} KV bytes"));
    }

    [Fact]
    public async Task A_keyed_registration_composes_middleware_and_Semantic_Kernel_goes_through_it()
    {
        var logs = new LogSink();
        var seen = 0;
        using var host = Build(logs, chat => chat.Use((messages, options, next, ct) =>
        {
            Interlocked.Increment(ref seen);
            return next(messages, options, ct);
        }), serviceId: "local");
        Assert.Null(host.Services.GetService<IChatClient>());
        var client = host.Services.GetRequiredKeyedService<IChatClient>("local");
        var response = await client.GetResponseAsync(TestHosts.Story, new ChatOptions { MaxOutputTokens = 2 });
        Assert.Equal(2, response.Usage!.OutputTokenCount);
        Assert.Equal(1, seen);

        var kernel = host.Services.GetRequiredService<Kernel>();
        var chat = kernel.GetRequiredService<IChatCompletionService>("local");
        Assert.Equal("stories260K", chat.Attributes[Microsoft.SemanticKernel.Services.AIServiceExtensions.ModelIdKey]);
        var reply = await chat.GetChatMessageContentAsync(TestHosts.Story, new CoKvPromptExecutionSettings { MaxTokens = 2 });
        Assert.Equal(response.Text, reply.Content);
        Assert.Equal(2, seen);
    }

    [Fact]
    public void Profiling_progress_is_a_gauge_per_task_type()
    {
        using var recorder = new TelemetryRecorder();
        var board = new ProfileStatusBoard();
        var building = "telemetry-" + Guid.NewGuid().ToString("N")[..8];
        var ready = "telemetry-" + Guid.NewGuid().ToString("N")[..8];
        board.Set(new ProfileBuildState(building, ProfileBuildStage.Building, Done: 3, Total: 12));
        board.Set(new ProfileBuildState(ready, ProfileBuildStage.Ready, ProfilePath: "x.json"));
        recorder.Observe();
        var progress = recorder.Measurements(CoKvTelemetry.ProfilingProgress);
        var b = Assert.Single(progress, m => (string?)m.Tag(CoKvTags.TaskType) == building);
        Assert.Equal(0.25, b.Value);
        Assert.Equal("building", b.Tag(CoKvTags.ProfilingStage));
        Assert.Equal(1.0, Assert.Single(progress, m => (string?)m.Tag(CoKvTags.TaskType) == ready).Value);
        GC.KeepAlive(board);
    }

    /// <summary>Keeps every log line with its level.</summary>
    sealed class LogSink : ILoggerProvider
    {
        public ConcurrentQueue<(LogLevel Level, string Category, string Text)> Lines { get; } = new();
        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
        public void Dispose() { }

        sealed class Logger(LogSink sink, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                sink.Lines.Enqueue((logLevel, category, formatter(state, exception)));
        }
    }
}
