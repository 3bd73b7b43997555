using System.Runtime.CompilerServices;
using System.Text;
using CoKv.Generation;
using CoKv.SemanticKernel.Chat;
using CoKv.SemanticKernel.Engine;
using CoKv.SemanticKernel.Selection;
using CoKv.SemanticKernel.Telemetry;
using CoKv.SemanticKernel.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CoKv.SemanticKernel;

/// <summary>
/// A local model with a head-budgeted KV cache as an <see cref="IChatClient"/>. Each request gets its budget policy
/// and profile from the <see cref="IBudgetProfileSelector"/>; the choice, token counts, KV bytes and timings come back
/// in the response. Requests queue on the model (a full queue fails at once with <see cref="ModelBusyException"/>);
/// cancelling one stops it between tokens and frees its cache.
/// </summary>
public sealed class CoKvChatClient : IChatClient
{
    public const string ProviderName = "cokv";

    readonly CoKvModelHost _host;
    readonly IBudgetProfileSelector _selector;
    readonly ICacheCompressorFactory _compressors;
    readonly ConversationPrompts _prompts;
    readonly ILogger _logger;
    readonly ChatClientMetadata _metadata;
    readonly bool _ownsHost;

    public CoKvChatClient(CoKvModelHost host, IBudgetProfileSelector selector, ICacheCompressorFactory? compressors = null, ILogger<CoKvChatClient>? logger = null)
        : this(host, selector, compressors, logger, ownsHost: false)
    {
    }

    CoKvChatClient(CoKvModelHost host, IBudgetProfileSelector selector, ICacheCompressorFactory? compressors, ILogger? logger, bool ownsHost)
    {
        _host = host ?? throw new ArgumentNullException(nameof(host));
        _selector = selector ?? throw new ArgumentNullException(nameof(selector));
        _compressors = compressors ?? new CacheCompressorFactory();
        _prompts = new ConversationPrompts(Math.Max(host.Options.SessionCacheCount, 1) * 4);
        _logger = logger ?? NullLogger.Instance;
        _ownsHost = ownsHost;
        ModelId = host.Options.ResolveModelId();
        _metadata = new ChatClientMetadata(ProviderName, new Uri(Path.GetFullPath(host.Options.ModelPath)), ModelId);
    }

    /// <summary>A client over its own model instance, outside dependency injection (validates the options, loads lazily).</summary>
    public static CoKvChatClient Create(CoKvOptions options, ILoggerFactory? loggerFactory = null)
    {
        var result = new CoKvOptionsValidator().Validate(null, options);
        if (result.Failed) throw new Microsoft.Extensions.Options.OptionsValidationException("", typeof(CoKvOptions), result.Failures);
        var host = new CoKvModelHost(options, loggerFactory?.CreateLogger<CoKvModelHost>() ?? (ILogger)NullLogger.Instance);
        return new CoKvChatClient(host, new BudgetProfileSelector(options, new RuleTaskClassifier()), null, loggerFactory?.CreateLogger<CoKvChatClient>(), ownsHost: true);
    }

    public string ModelId { get; }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        var calls = new List<AIContent>();
        ChatResponseUpdate? last = null;
        string? responseId = null;
        await foreach (var update in GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            responseId ??= update.ResponseId;
            text.Append(update.Text);
            calls.AddRange(update.Contents.OfType<FunctionCallContent>());
            if (update.FinishReason is not null) last = update;
        }
        var message = calls.Count == 0
            ? new ChatMessage(ChatRole.Assistant, text.ToString()) { MessageId = responseId }
            : new ChatMessage(ChatRole.Assistant, [.. text.Length > 0 ? [new TextContent(text.ToString())] : Array.Empty<AIContent>(), .. calls]) { MessageId = responseId };
        return new ChatResponse(message)
        {
            ResponseId = responseId,
            ModelId = ModelId,
            ConversationId = options?.ConversationId,
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = last?.FinishReason,
            Usage = last?.Contents.OfType<UsageContent>().FirstOrDefault()?.Details,
            AdditionalProperties = last?.AdditionalProperties,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var settings = CoKvRequestSettings.From(options);
        var turns = ChatMessageMapping.ToTurns(list);
        using var telemetry = RequestTelemetry.Start(ModelId, settings, _logger, cancellationToken);
        var model = await _host.GetModelAsync(cancellationToken).ConfigureAwait(false);

        var selection = _selector.Select(list, settings, model.Fingerprint);
        var sessionKey = SessionKeys.For(list, settings.ConversationId);
        var family = _host.Options.ChatTemplate ?? model.ChatTemplateFamily;
        var tools = ToolRequest.From(options, family);
        ConversationPrompts.Prompt prompt;
        if (tools.NeedsToolRendering(list))
        {
            var (toolText, addBos) = tools.Render(family, model.Tokenizer, list);
            prompt = _prompts.Build(model, toolText, addBos, sessionKey);
        }
        else prompt = _prompts.Build(model, family, turns, sessionKey);
        var maxTokens = settings.MaxTokens ?? _host.Options.DefaultMaxTokens;
        var reserve = Math.Max(0, Math.Min(maxTokens ?? int.MaxValue, model.ContextLength - prompt.Tokens.Count));
        var request = new GenerationRequest
        {
            PromptTokens = prompt.Tokens,
            MaxNewTokens = maxTokens,
            Sampling = new SamplingOptions
            {
                Temperature = settings.Temperature ?? 0,
                TopK = settings.TopK ?? 0,
                TopP = settings.TopP ?? 1.0,
                Seed = settings.Seed is { } seed ? unchecked((int)seed) : 42,
            },
            StopStrings = settings.StopSequences,
            Compression = _compressors.Create(selection, reserve),
            SessionKey = sessionKey,
            Constraint = tools.Constraint(model.Tokenizer),
        };
        _logger.LogDebug("Request {Session}: {PromptTokens} prompt tokens{Spliced}, policy {Policy}, profile {Profile} ({Reason}: {Note}), task type {TaskType}",
            sessionKey, prompt.Tokens.Count, prompt.Spliced ? " (continues the cached turn)" : "", selection.Policy,
            selection.ProfilePath is { } profilePath ? Path.GetFileName(profilePath) : "none", BudgetSelection.ReasonName(selection.Reason),
            selection.Note ?? "-", selection.TaskType ?? "-");

        var responseId = Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow;
        GenerationResult? result = null;
        var answerStart = new AnswerStart();
        var held = new ToolOutputFilter(tools);
        await foreach (var update in telemetry.Observe(model.GenerateAsync(request, cancellationToken)).ConfigureAwait(false))
        {
            // Updates the engine had already queued must not reach a caller who has cancelled.
            cancellationToken.ThrowIfCancellationRequested();
            if (update.Final is { } final)
            {
                result = final;
                continue;
            }
            // Text that may be the start of a tool call is held until it is clearly not one.
            var delta = held.Push(answerStart.Next(update.TextDelta));
            if (delta.Length == 0) continue;
            yield return new ChatResponseUpdate(ChatRole.Assistant, delta)
            {
                ResponseId = responseId, MessageId = responseId, ModelId = ModelId, CreatedAt = created,
                ConversationId = settings.ConversationId,
            };
        }
        if (result is null) throw new InvalidOperationException("The engine ended the generation without a result.");
        _prompts.Remember(model, sessionKey, prompt, result);
        var (rest, calls) = held.Finish(_logger);
        if (rest.Length > 0 || calls is not null)
            yield return new ChatResponseUpdate(ChatRole.Assistant, calls is null ? [new TextContent(rest)] : [.. calls])
            {
                ResponseId = responseId, MessageId = responseId, ModelId = ModelId, CreatedAt = created,
                ConversationId = settings.ConversationId,
            };
        var finishReason = calls is not null ? ChatFinishReason.ToolCalls
            : result.FinishReason == FinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop;
        telemetry.Completed(responseId, finishReason.Value, selection, result.Stats);

        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(Usage(result.Stats))])
        {
            ResponseId = responseId, MessageId = responseId, ModelId = ModelId, CreatedAt = created,
            ConversationId = settings.ConversationId,
            FinishReason = finishReason,
            AdditionalProperties = ResponseFacts(selection, result.Stats),
        };
    }

    static UsageDetails Usage(GenerationStats stats) => new()
    {
        InputTokenCount = stats.PromptTokens,
        OutputTokenCount = stats.GeneratedTokens,
        TotalTokenCount = stats.PromptTokens + stats.GeneratedTokens,
        CachedInputTokenCount = stats.ReusedPromptTokens,
    };

    static AdditionalPropertiesDictionary ResponseFacts(BudgetSelection selection, GenerationStats stats)
    {
        var facts = new AdditionalPropertiesDictionary
        {
            [CoKvMetadataKeys.Engine] = ProviderName,
            [CoKvMetadataKeys.Policy] = stats.CompressionReport?.Policy ?? selection.Policy,
            [CoKvMetadataKeys.Budget] = selection.Budget,
            [CoKvMetadataKeys.Window] = selection.Window,
            [CoKvMetadataKeys.Lookahead] = stats.LookaheadTokens,
            [CoKvMetadataKeys.Profile] = selection.ProfilePath is { } path ? Path.GetFileName(path) : null,
            [CoKvMetadataKeys.ProfileReason] = BudgetSelection.ReasonName(selection.Reason),
            [CoKvMetadataKeys.ProfileNote] = selection.Note,
            [CoKvMetadataKeys.TaskType] = selection.TaskType,
            [CoKvMetadataKeys.KvBytes] = stats.KvBytes,
            [CoKvMetadataKeys.KvBytesFull] = stats.KvBytesFullCache,
            [CoKvMetadataKeys.PromptTokens] = stats.PromptTokens,
            [CoKvMetadataKeys.ReusedPromptTokens] = stats.ReusedPromptTokens,
            [CoKvMetadataKeys.CompletionTokens] = stats.GeneratedTokens,
            [CoKvMetadataKeys.PrefillMs] = Math.Round(stats.Prefill.TotalMilliseconds, 3),
            [CoKvMetadataKeys.CompressionMs] = Math.Round(stats.Compression.TotalMilliseconds, 3),
            [CoKvMetadataKeys.DecodeMs] = Math.Round(stats.Decode.TotalMilliseconds, 3),
        };
        if (stats.CompressionReport is { } report) facts[CoKvMetadataKeys.TokensPerHead] = report.TokensPerHead;
        return facts;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return _metadata;
        if (serviceType == typeof(LocalModel)) return _host.Loaded;
        if (serviceType == typeof(IBudgetProfileSelector)) return _selector;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
        // A client from dependency injection shares the registration's model; the container disposes that.
        if (_ownsHost) _host.Dispose();
    }
}
