using System.Diagnostics;
using System.Runtime.CompilerServices;
using CoKv.Chat;
using CoKv.Generation;
using CoKv.LlamaCpp;
using CoKv.Models;
using CoKv.SemanticKernel.Chat;
using CoKv.Tokenization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CoKv.SemanticKernel;

/// <summary>
/// llama.cpp's full cache (through LLamaSharp) as an <see cref="IChatClient"/> with the settings and response facts of
/// <see cref="CoKvChatClient"/> where they apply, so an application can A/B the two on one .gguf by switching
/// <see cref="CoKvOptions.Engine"/>. The prompt is rendered and tokenized exactly as the CoKv engine does (the file's
/// chat template and vocabulary), then decoded greedily by llama.cpp; the KV cache is F32 when
/// <see cref="CoKvOptions.DType"/> is F32 (as ours), else llama.cpp's default F16. Budget settings are ignored (the
/// cache is always full); sampling is not offered (a temperature above 0 is refused). Requests run one at a time and
/// the answer arrives as one update.
/// </summary>
public sealed class LlamaSharpChatClient : IChatClient
{
    public const string ProviderName = "llamasharp";

    readonly CoKvOptions _options;
    readonly ILogger _logger;
    readonly ChatClientMetadata _metadata;
    readonly SemaphoreSlim _gate = new(1, 1);
    Loaded? _loaded;
    bool _disposed;

    sealed record Loaded(LlamaCppModel Model, LlamaCppContext Context, ITokenizer Tokenizer, ChatTemplateFamily Template, long KvBytesPerToken) : IDisposable
    {
        public void Dispose()
        {
            Context.Dispose();
            Model.Dispose();
        }
    }

    public LlamaSharpChatClient(CoKvOptions options, ILogger<LlamaSharpChatClient>? logger = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? (ILogger)NullLogger.Instance;
        ModelId = options.ResolveModelId();
        _metadata = new ChatClientMetadata(ProviderName, new Uri(Path.GetFullPath(options.ModelPath)), ModelId);
    }

    public string ModelId { get; }

    /// <summary>Loads the model now (the first request does otherwise).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            EnsureLoaded();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ChatResponseUpdate? text = null, last = null;
        await foreach (var update in GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            if (update.FinishReason is null) text = update;
            else last = update;
        }
        var message = new ChatMessage(ChatRole.Assistant, text?.Text ?? "") { MessageId = last?.ResponseId };
        return new ChatResponse(message)
        {
            ResponseId = last?.ResponseId,
            ModelId = ModelId,
            ConversationId = options?.ConversationId,
            CreatedAt = last?.CreatedAt,
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
        if (settings.Temperature is > 0)
            throw new NotSupportedException($"The {ProviderName} engine of this connector decodes greedily; set temperature 0 (or leave it unset).");
        // This engine has no constrained decoding: refuse what would need it rather than drop it.
        if (options?.Tools is { Count: > 0 })
            throw new NotSupportedException($"Tools are not supported by the {ProviderName} engine of this connector; use the cokv engine.");
        if (options?.ResponseFormat is ChatResponseFormatJson)
            throw new NotSupportedException($"ResponseFormat JSON is not supported by the {ProviderName} engine of this connector; use the cokv engine.");
        var turns = ChatMessageMapping.ToTurns(list);
        if (!string.IsNullOrWhiteSpace(options?.Instructions)) turns = [new CoKv.Chat.ChatTurn(CoKv.Chat.ChatRoles.System, options.Instructions), .. turns];

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        Answer answer;
        try
        {
            var loaded = EnsureLoaded();
            answer = await Task.Run(() => Generate(loaded, turns, settings), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

        var responseId = Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow;
        if (answer.Text.Length > 0)
            yield return new ChatResponseUpdate(ChatRole.Assistant, answer.Text)
            {
                ResponseId = responseId, MessageId = responseId, ModelId = ModelId, CreatedAt = created, ConversationId = settings.ConversationId,
            };
        var usage = new UsageDetails
        {
            InputTokenCount = answer.PromptTokens,
            OutputTokenCount = answer.CompletionTokens,
            TotalTokenCount = answer.PromptTokens + answer.CompletionTokens,
            CachedInputTokenCount = 0,
        };
        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(usage)])
        {
            ResponseId = responseId, MessageId = responseId, ModelId = ModelId, CreatedAt = created, ConversationId = settings.ConversationId,
            FinishReason = answer.FinishReason,
            AdditionalProperties = new AdditionalPropertiesDictionary
            {
                [CoKvMetadataKeys.Engine] = ProviderName,
                [CoKvMetadataKeys.Policy] = BudgetPolicyNames.Full,
                [CoKvMetadataKeys.KvBytes] = answer.KvBytes,
                [CoKvMetadataKeys.KvBytesFull] = answer.KvBytes,
                [CoKvMetadataKeys.PromptTokens] = answer.PromptTokens,
                [CoKvMetadataKeys.ReusedPromptTokens] = 0,
                [CoKvMetadataKeys.CompletionTokens] = answer.CompletionTokens,
                [CoKvMetadataKeys.PrefillMs] = Math.Round(answer.Prefill.TotalMilliseconds, 3),
                [CoKvMetadataKeys.DecodeMs] = Math.Round(answer.Decode.TotalMilliseconds, 3),
            },
        };
    }

    sealed record Answer(string Text, int PromptTokens, int CompletionTokens, ChatFinishReason FinishReason, long KvBytes, TimeSpan Prefill, TimeSpan Decode);

    Answer Generate(Loaded loaded, IReadOnlyList<ChatTurn> turns, CoKvRequestSettings settings)
    {
        // The prompt tokens exactly as LocalModel.EncodeChat writes them for the same file.
        var prompt = ChatPrompt.Encode(loaded.Tokenizer, loaded.Template, turns, addGenerationPrompt: true).ToArray();
        var room = loaded.Context.ContextLength - prompt.Length + 1; // the last new token is never fed back
        if (room < 1)
            throw new ArgumentException($"The conversation takes {prompt.Length} tokens; the context holds {loaded.Context.ContextLength}.");
        var limit = Math.Min(settings.MaxTokens ?? _options.DefaultMaxTokens ?? room, room);
        var tokens = loaded.Context.GenerateGreedy(prompt, limit, stopAtEog: true, stopTokens: loaded.Tokenizer.StopIds);
        // Printed as the CoKv engine prints generated tokens: continuing the prompt (the first keeps its space until
        // AnswerStart drops it, as for the CoKv engine).
        var detokenizer = new StreamingDetokenizer(loaded.Tokenizer, continuesSequence: true);
        foreach (var token in tokens) detokenizer.Append(token);
        detokenizer.Flush();
        var text = detokenizer.Text;
        var finish = tokens.Count < limit ? ChatFinishReason.Stop : ChatFinishReason.Length;
        // Stop strings end the answer where they begin, as the CoKv engine's do (it stops decoding there).
        foreach (var stop in settings.StopSequences)
        {
            var at = stop.Length == 0 ? -1 : text.IndexOf(stop, StringComparison.Ordinal);
            if (at < 0) continue;
            text = text[..at];
            finish = ChatFinishReason.Stop;
        }
        text = AnswerStart.Trim(text);
        var timings = loaded.Context.LastTimings!;
        // The cache holds the prompt and every new token but the last (never fed back).
        var cached = prompt.Length + Math.Max(tokens.Count - 1, 0);
        _logger.LogDebug("llamasharp: {Prompt} prompt tokens, {New} new; {Timings}", prompt.Length, tokens.Count, timings);
        return new Answer(text, prompt.Length, tokens.Count, finish, cached * loaded.KvBytesPerToken, timings.Prefill, timings.Decode);
    }

    Loaded EnsureLoaded()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_loaded is { } ready) return ready;
        var clock = Stopwatch.StartNew();
        using var bundle = ModelFiles.Open(_options.ModelPath);
        var config = bundle.Config;
        var template = _options.ChatTemplate ?? ChatTemplates.Detect(bundle.ChatTemplate);
        LlamaCppRuntime.Initialize();
        var model = LlamaCppModel.Load(_options.ModelPath);
        try
        {
            var contextLength = Math.Min(_options.ContextLength ?? config.MaxContext, config.MaxContext);
            var f32 = _options.DType == RunDType.F32;
            var context = LlamaCppContext.Create(model, contextLength, batchSize: Math.Min(contextLength, Math.Max(_options.PrefillChunkSize, 1)),
                threads: _options.Threads ?? Math.Min(Environment.ProcessorCount, 4), f32Cache: f32);
            long perToken = 2L * config.LayerCount * config.KvHeadCount * config.HeadDim * (f32 ? 4 : 2);
            _loaded = new Loaded(model, context, bundle.Tokenizer, template, perToken);
            _logger.LogInformation("llamasharp: loaded {Model} ({Description}, context {Context}) in {Seconds:F1} s",
                _options.ModelPath, model.Description, context.ContextLength, clock.Elapsed.TotalSeconds);
            return _loaded;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return _metadata;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (_disposed) return;
            _disposed = true;
            _loaded?.Dispose();
            _loaded = null;
        }
        finally
        {
            _gate.Release();
        }
    }
}
