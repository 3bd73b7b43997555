using System.Diagnostics;
using System.Runtime.CompilerServices;
using CoKv.Generation;
using CoKv.SemanticKernel.Selection;
using Microsoft.Extensions.Logging;

namespace CoKv.SemanticKernel.Telemetry;

/// <summary>
/// One request's span, metrics and summary log line. The client opens it when a request starts, passes the engine's
/// stream through <see cref="Observe{T}"/> (so a refusal or failure is seen), reports the result with
/// <see cref="Completed"/>, and disposes it; a request disposed without a result is recorded as failed.
/// </summary>
sealed class RequestTelemetry : IDisposable
{
    const string Operation = "chat";

    readonly Activity? _activity;
    readonly ILogger _logger;
    readonly string _model;
    readonly long _started = Stopwatch.GetTimestamp();
    readonly CancellationToken _cancellation;
    string? _errorType;
    bool _completed;

    RequestTelemetry(Activity? activity, ILogger logger, string model, CancellationToken cancellation)
    {
        _activity = activity;
        _logger = logger;
        _model = model;
        _cancellation = cancellation;
    }

    public static RequestTelemetry Start(string model, CoKvRequestSettings settings, ILogger logger, CancellationToken cancellation)
    {
        // GenAI conventions: span "{operation} {model}", kind client.
        var activity = CoKvTelemetry.Source.StartActivity($"{Operation} {model}", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(GenAiTags.OperationName, Operation);
            activity.SetTag(GenAiTags.ProviderName, CoKvChatClient.ProviderName);
            activity.SetTag(GenAiTags.RequestModel, model);
            if (settings.MaxTokens is { } max) activity.SetTag(GenAiTags.RequestMaxTokens, max);
            if (settings.Temperature is { } t) activity.SetTag(GenAiTags.RequestTemperature, t);
            if (settings.TopP is { } p) activity.SetTag(GenAiTags.RequestTopP, p);
            if (settings.TopK is { } k) activity.SetTag(GenAiTags.RequestTopK, k);
            if (settings.Seed is { } seed) activity.SetTag(GenAiTags.RequestSeed, seed);
            if (settings.ConversationId is { } conversation) activity.SetTag(GenAiTags.ConversationId, conversation);
        }
        return new RequestTelemetry(activity, logger, model, cancellation);
    }

    /// <summary>The engine's stream, unchanged, with its exceptions noted (a full queue counts as a busy rejection).</summary>
    public async IAsyncEnumerable<T> Observe<T>(IAsyncEnumerable<T> source)
    {
        await using var items = source.GetAsyncEnumerator();
        while (true)
        {
            try
            {
                if (!await items.MoveNextAsync().ConfigureAwait(false)) yield break;
            }
            catch (Exception e)
            {
                Failed(e);
                throw;
            }
            yield return items.Current;
        }
    }

    void Failed(Exception e)
    {
        _errorType = e.GetType().FullName;
        if (e is ModelBusyException)
            CoKvTelemetry.Rejected.Add(1, new KeyValuePair<string, object?>(GenAiTags.RequestModel, _model),
                new KeyValuePair<string, object?>(GenAiTags.ErrorType, _errorType));
    }

    public void Completed(string responseId, string finishReason, BudgetSelection selection, GenerationStats stats)
    {
        _completed = true;
        var end = DateTime.UtcNow;
        var policy = stats.CompressionReport?.Policy ?? selection.Policy;
        var profile = selection.ProfilePath is { } path ? Path.GetFileName(path) : null;
        var reason = BudgetSelection.ReasonName(selection.Reason);

        if (_activity is { IsAllDataRequested: true } a)
        {
            a.SetTag(GenAiTags.ResponseId, responseId);
            a.SetTag(GenAiTags.ResponseModel, _model);
            a.SetTag(GenAiTags.ResponseFinishReasons, new[] { finishReason });
            a.SetTag(GenAiTags.InputTokens, stats.PromptTokens);
            a.SetTag(GenAiTags.OutputTokens, stats.GeneratedTokens);
            a.SetTag(CoKvTags.ReusedPromptTokens, stats.ReusedPromptTokens);
            a.SetTag(CoKvTags.Policy, policy);
            a.SetTag(CoKvTags.Budget, selection.Budget);
            a.SetTag(CoKvTags.Window, selection.Window);
            a.SetTag(CoKvTags.Profile, profile);
            a.SetTag(CoKvTags.ProfileReason, reason);
            a.SetTag(CoKvTags.TaskType, selection.TaskType);
            a.SetTag(CoKvTags.KvBytesKept, stats.KvBytes);
            a.SetTag(CoKvTags.KvBytesFull, stats.KvBytesFullCache);
            a.SetTag(CoKvTags.PrefillMs, Math.Round(stats.Prefill.TotalMilliseconds, 3));
            a.SetTag(CoKvTags.CompressionMs, Math.Round(stats.Compression.TotalMilliseconds, 3));
            a.SetTag(CoKvTags.DecodeMs, Math.Round(stats.Decode.TotalMilliseconds, 3));
            // The engine reports how long each phase took, not when it ran: the phases are drawn end to end, in the
            // order they run, ending when the result arrived.
            var decodeStart = end - stats.Decode;
            var compressionStart = decodeStart - stats.Compression;
            Phase("cokv.prefill", compressionStart - stats.Prefill, compressionStart);
            if (stats.Compression > TimeSpan.Zero) Phase("cokv.compression", compressionStart, decodeStart);
            Phase("cokv.decode", decodeStart, end);
        }

        var genAi = GenAiMetricTags();
        var input = genAi;
        input.Add(GenAiTags.TokenType, "input");
        CoKvTelemetry.Tokens.Record(stats.PromptTokens, input);
        var output = genAi;
        output.Add(GenAiTags.TokenType, "output");
        CoKvTelemetry.Tokens.Record(stats.GeneratedTokens, output);

        var engine = new TagList
        {
            { GenAiTags.RequestModel, _model },
            { CoKvTags.Policy, policy },
            { CoKvTags.Profile, profile ?? "none" },
            { CoKvTags.ProfileReason, reason },
        };
        CoKvTelemetry.Prefill.Record(stats.Prefill.TotalSeconds, engine);
        CoKvTelemetry.Compression.Record(stats.Compression.TotalSeconds, engine);
        CoKvTelemetry.Decode.Record(stats.Decode.TotalSeconds, engine);
        CoKvTelemetry.KeptBytes.Record(stats.KvBytes, engine);
        CoKvTelemetry.FullBytes.Record(stats.KvBytesFullCache, engine);

        if (_logger.IsEnabled(LogLevel.Debug))
            _logger.LogDebug(
                "Answered {Model} with {Policy} (profile {Profile}, {Reason}): kept {KvBytes} of {KvBytesFull} KV bytes ({Share:P1}); {PromptTokens} prompt tokens ({Reused} reused), {Generated} generated; prefill {PrefillMs:F1} ms, compression {CompressionMs:F1} ms, decode {DecodeMs:F1} ms",
                _model, policy, profile ?? "none", reason, stats.KvBytes, stats.KvBytesFullCache,
                stats.KvBytesFullCache > 0 ? (double)stats.KvBytes / stats.KvBytesFullCache : 1.0, stats.PromptTokens, stats.ReusedPromptTokens,
                stats.GeneratedTokens, stats.Prefill.TotalMilliseconds, stats.Compression.TotalMilliseconds, stats.Decode.TotalMilliseconds);
    }

    void Phase(string name, DateTime start, DateTime end)
    {
        using var phase = CoKvTelemetry.Source.StartActivity(name, ActivityKind.Internal, _activity!.Context, startTime: start);
        phase?.SetEndTime(end);
    }

    TagList GenAiMetricTags() => new()
    {
        { GenAiTags.OperationName, Operation },
        { GenAiTags.ProviderName, CoKvChatClient.ProviderName },
        { GenAiTags.RequestModel, _model },
        { GenAiTags.ResponseModel, _model },
    };

    public void Dispose()
    {
        var tags = GenAiMetricTags();
        if (!_completed)
        {
            // An exception the stream did not see (a failed load, a bad request), or the caller stopped early.
            _errorType ??= _cancellation.IsCancellationRequested ? typeof(OperationCanceledException).FullName : "_OTHER";
            tags.Add(GenAiTags.ErrorType, _errorType);
            _activity?.SetTag(GenAiTags.ErrorType, _errorType);
            _activity?.SetStatus(ActivityStatusCode.Error, _errorType);
        }
        CoKvTelemetry.Duration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, tags);
        _activity?.Dispose();
    }
}
