using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Services;
using SkChatMessageContent = Microsoft.SemanticKernel.ChatMessageContent;
using SkTextContent = Microsoft.SemanticKernel.TextContent;

namespace CoKv.SemanticKernel;

/// <summary>
/// Semantic Kernel's chat completion over <see cref="CoKvChatClient"/>. Any PromptExecutionSettings are read as
/// <see cref="CoKvPromptExecutionSettings"/> (a prompt template's JSON keys included). The response metadata holds
/// "Usage" (UsageDetails), "FinishReason" and the CoKv facts (<see cref="CoKvMetadataKeys"/>); when streaming, the
/// last chunk carries them.
/// </summary>
public sealed class CoKvChatCompletionService : IChatCompletionService
{
    readonly IChatClient _client;
    readonly SkFunctionCalling _functions;

    public CoKvChatCompletionService(IChatClient client, string? modelId = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _functions = new SkFunctionCalling(client);
        var id = modelId ?? client.GetService<ChatClientMetadata>()?.DefaultModelId;
        Attributes = id is null
            ? new Dictionary<string, object?>()
            : new Dictionary<string, object?> { [AIServiceExtensions.ModelIdKey] = id };
    }

    public IReadOnlyDictionary<string, object?> Attributes { get; }

    public async Task<IReadOnlyList<SkChatMessageContent>> GetChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chatHistory);
        if (SkFunctionCalling.Applies(executionSettings))
        {
            var (client, options) = _functions.Prepare(executionSettings!, kernel, chatHistory);
            var completion = await client.GetResponseAsync(ToMessages(chatHistory), options, cancellationToken).ConfigureAwait(false);
            var last = SkFunctionCalling.Collect(completion, chatHistory, kernel);
            last.Metadata = Metadata(completion.AdditionalProperties, completion.Usage, completion.FinishReason);
            return [last];
        }
        var settings = CoKvPromptExecutionSettings.FromExecutionSettings(executionSettings);
        var response = await _client.GetResponseAsync(ToMessages(chatHistory), settings.ToChatOptions(), cancellationToken).ConfigureAwait(false);
        var content = new SkChatMessageContent(AuthorRole.Assistant, response.Text, response.ModelId, innerContent: response, encoding: Encoding.UTF8,
            metadata: Metadata(response.AdditionalProperties, response.Usage, response.FinishReason));
        return [content];
    }

    public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chatHistory);
        if (SkFunctionCalling.Applies(executionSettings))
        {
            // Calls and results the invoking client made go into the history once the stream ends (as Semantic Kernel's
            // own chat-client service does); the text streams as it comes.
            var (client, options) = _functions.Prepare(executionSettings!, kernel, chatHistory);
            var turns = new List<ChatResponseUpdate>();
            var at = 0;
            await foreach (var update in client.GetStreamingResponseAsync(ToMessages(chatHistory), options, cancellationToken).ConfigureAwait(false))
            {
                turns.Add(update);
                var usage = update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details;
                var metadata = update.FinishReason is null && usage is null ? null : Metadata(update.AdditionalProperties, usage, update.FinishReason);
                yield return new StreamingChatMessageContent(AuthorRole.Assistant, update.Text, update, at++, update.ModelId, Encoding.UTF8, metadata);
            }
            SkFunctionCalling.AddCallsAndResults(turns.ToChatResponse(), chatHistory, kernel);
            yield break;
        }
        var settings = CoKvPromptExecutionSettings.FromExecutionSettings(executionSettings);
        var index = 0;
        await foreach (var update in _client.GetStreamingResponseAsync(ToMessages(chatHistory), settings.ToChatOptions(), cancellationToken).ConfigureAwait(false))
        {
            var usage = update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details;
            var metadata = update.FinishReason is null && usage is null ? null : Metadata(update.AdditionalProperties, usage, update.FinishReason);
            yield return new StreamingChatMessageContent(AuthorRole.Assistant, update.Text, update, index++, update.ModelId, Encoding.UTF8, metadata);
        }
    }

    static List<ChatMessage> ToMessages(ChatHistory history)
    {
        var messages = new List<ChatMessage>(history.Count);
        foreach (var message in history)
        {
            // Function calls and results (Semantic Kernel's, after auto-invocation) keep their form for the tool templates.
            if (message.Items.Any(i => i is Microsoft.SemanticKernel.FunctionCallContent or Microsoft.SemanticKernel.FunctionResultContent))
            {
                messages.Add(message.ToChatMessage());
                continue;
            }
            var role = new ChatRole(message.Role.Label);
            var text = string.Concat(message.Items.OfType<SkTextContent>().Select(t => t.Text));
            if (text.Length == 0 && message.Content is { } content) text = content;
            messages.Add(new ChatMessage(role, text));
        }
        return messages;
    }

    static Dictionary<string, object?> Metadata(AdditionalPropertiesDictionary? facts, UsageDetails? usage, ChatFinishReason? finish)
    {
        var metadata = new Dictionary<string, object?>();
        if (facts is not null)
            foreach (var (key, value) in facts) metadata[key] = value;
        if (usage is not null) metadata[CoKvMetadataKeys.Usage] = usage;
        if (finish is { } f) metadata[CoKvMetadataKeys.FinishReason] = f.Value;
        return metadata;
    }
}
