using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using System.Runtime.CompilerServices;
using CoKv.SemanticKernel.Engine;
using CoKv.SemanticKernel.Profiling;

namespace CoKv.SemanticKernel;

/// <summary>
/// The connector's <see cref="Meter"/> and <see cref="ActivitySource"/>, both named <see cref="SourceName"/>: subscribe
/// with <c>AddMeter(CoKvTelemetry.SourceName)</c> / <c>AddSource(CoKvTelemetry.SourceName)</c>. Each request is one
/// span "chat {model}" with the OpenTelemetry GenAI attributes (gen_ai.*) and this library's (cokv.*), and child spans
/// for prefill, compression and decode. Metrics follow the GenAI conventions where they apply
/// (<see cref="TokenUsage"/>, <see cref="OperationDuration"/>) and add the engine's own.
/// </summary>
public static class CoKvTelemetry
{
    public const string SourceName = "CoKv.SemanticKernel";

    /// <summary>gen_ai.client.token.usage: histogram of tokens per request, tagged gen_ai.token.type = input | output.</summary>
    public const string TokenUsage = "gen_ai.client.token.usage";
    /// <summary>gen_ai.client.operation.duration: seconds per request (error.type set when it failed).</summary>
    public const string OperationDuration = "gen_ai.client.operation.duration";
    public const string PrefillDuration = "cokv.prefill.duration";
    public const string CompressionDuration = "cokv.compression.duration";
    public const string DecodeDuration = "cokv.decode.duration";
    /// <summary>Bytes of KV cache the request kept after compression.</summary>
    public const string KvBytesKept = "cokv.kv_cache.kept";
    /// <summary>Bytes a full cache would have held for the same request.</summary>
    public const string KvBytesFull = "cokv.kv_cache.full";
    /// <summary>Requests waiting behind the running one, per loaded model (observable gauge).</summary>
    public const string QueueLength = "cokv.requests.queued";
    /// <summary>Requests refused because the queue was full (ModelBusyException).</summary>
    public const string BusyRejections = "cokv.requests.rejected";
    /// <summary>Share of a task type's profile built, 0 to 1 (observable gauge, tagged cokv.task_type and cokv.profiling.stage).</summary>
    public const string ProfilingProgress = "cokv.profiling.progress";

    static readonly string? Version = typeof(CoKvTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    internal static readonly ActivitySource Source = new(SourceName, Version);
    internal static readonly Meter Meter = new(SourceName, Version);

    // Bucket boundaries the GenAI conventions advise for these two histograms.
    internal static readonly Histogram<long> Tokens = Meter.CreateHistogram(TokenUsage, "{token}", "Number of input and output tokens used.",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864] });
    internal static readonly Histogram<double> Duration = Meter.CreateHistogram(OperationDuration, "s", "GenAI operation duration.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
    internal static readonly Histogram<double> Prefill = Meter.CreateHistogram(PrefillDuration, "s", "Time spent prefilling the prompt.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
    internal static readonly Histogram<double> Compression = Meter.CreateHistogram(CompressionDuration, "s", "Time spent compressing the KV cache to its budgets.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
    internal static readonly Histogram<double> Decode = Meter.CreateHistogram(DecodeDuration, "s", "Time spent generating the answer's tokens.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
    internal static readonly Histogram<long> KeptBytes = Meter.CreateHistogram<long>(KvBytesKept, "By", "KV cache bytes kept after compression.");
    internal static readonly Histogram<long> FullBytes = Meter.CreateHistogram<long>(KvBytesFull, "By", "KV cache bytes a full cache would hold.");
    internal static readonly Counter<long> Rejected = Meter.CreateCounter<long>(BusyRejections, "{request}", "Requests refused because the model's queue was full.");

    static IReadOnlyList<double> SecondsBuckets => [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

    // Live hosts and status boards, weakly held: the gauges read them when a listener asks.
    static readonly ConditionalWeakTable<CoKvModelHost, object?> Hosts = new();
    static readonly ConditionalWeakTable<ProfileStatusBoard, object?> Boards = new();

    static CoKvTelemetry()
    {
        Meter.CreateObservableGauge(QueueLength, ObserveQueues, "{request}", "Requests waiting behind the running one.");
        Meter.CreateObservableGauge(ProfilingProgress, ObserveProfiling, "1", "Share of a task type's profile built.");
    }

    internal static void Track(CoKvModelHost host) => Hosts.AddOrUpdate(host, null);

    internal static void Track(ProfileStatusBoard board) => Boards.AddOrUpdate(board, null);

    static IEnumerable<Measurement<int>> ObserveQueues()
    {
        foreach (var (host, _) in Hosts)
            if (host.Loaded is { } model)
                yield return new Measurement<int>(model.QueuedRequests, new KeyValuePair<string, object?>(GenAiTags.RequestModel, host.Options.ResolveModelId()));
    }

    static IEnumerable<Measurement<double>> ObserveProfiling()
    {
        foreach (var (board, _) in Boards)
            foreach (var state in board.TaskTypes)
            {
                var share = state.Stage == ProfileBuildStage.Ready ? 1.0 : state.Total > 0 ? (double)state.Done / state.Total : 0.0;
                yield return new Measurement<double>(share,
                    new KeyValuePair<string, object?>(CoKvTags.TaskType, state.TaskType),
                    new KeyValuePair<string, object?>(CoKvTags.ProfilingStage, state.Stage.ToString().ToLowerInvariant()));
            }
    }
}

/// <summary>OpenTelemetry GenAI semantic-convention attribute names used on CoKv's spans and metrics.</summary>
public static class GenAiTags
{
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string RequestMaxTokens = "gen_ai.request.max_tokens";
    public const string RequestTemperature = "gen_ai.request.temperature";
    public const string RequestTopP = "gen_ai.request.top_p";
    public const string RequestTopK = "gen_ai.request.top_k";
    public const string RequestSeed = "gen_ai.request.seed";
    public const string ResponseId = "gen_ai.response.id";
    public const string ResponseModel = "gen_ai.response.model";
    public const string ResponseFinishReasons = "gen_ai.response.finish_reasons";
    public const string ConversationId = "gen_ai.conversation.id";
    public const string InputTokens = "gen_ai.usage.input_tokens";
    public const string OutputTokens = "gen_ai.usage.output_tokens";
    public const string TokenType = "gen_ai.token.type";
    public const string ErrorType = "error.type";
}

/// <summary>This library's own attribute names (cokv.*), beside the GenAI ones.</summary>
public static class CoKvTags
{
    public const string Policy = "cokv.policy";
    public const string Budget = "cokv.budget";
    public const string Window = "cokv.window";
    public const string Profile = "cokv.profile";
    public const string ProfileReason = "cokv.profile_reason";
    public const string TaskType = "cokv.task_type";
    public const string ReusedPromptTokens = "cokv.usage.reused_input_tokens";
    public const string KvBytesKept = "cokv.kv_cache.kept_bytes";
    public const string KvBytesFull = "cokv.kv_cache.full_bytes";
    public const string PrefillMs = "cokv.prefill_ms";
    public const string CompressionMs = "cokv.compression_ms";
    public const string DecodeMs = "cokv.decode_ms";
    public const string ProfilingStage = "cokv.profiling.stage";
}
