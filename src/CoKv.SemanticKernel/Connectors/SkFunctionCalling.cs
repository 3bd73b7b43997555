using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using SkMessage = Microsoft.SemanticKernel.ChatMessageContent;

namespace CoKv.SemanticKernel;

/// <summary>
/// Semantic Kernel's function calling over <see cref="CoKvChatClient"/>: the settings' FunctionChoiceBehavior becomes
/// ChatOptions tools and tool mode (Semantic Kernel's own conversion, so the kernel's plugins and filters apply), and
/// when it auto-invokes, the request runs through Semantic Kernel's function-invoking client, which calls the plugin
/// functions and feeds their results back until the model answers.
/// </summary>
sealed class SkFunctionCalling(IChatClient client)
{
    readonly IChatClient _invoking = new ChatClientBuilder(client).UseKernelFunctionInvocation().Build();

    public static bool Applies(PromptExecutionSettings? settings) => settings?.FunctionChoiceBehavior is not null;

    public (IChatClient Client, ChatOptions Options) Prepare(PromptExecutionSettings settings, Kernel? kernel, ChatHistory history)
    {
        var cokv = CoKvPromptExecutionSettings.FromExecutionSettings(settings);
        var options = cokv.ToChatOptions(kernel);
        var config = settings.FunctionChoiceBehavior!.GetConfiguration(new FunctionChoiceBehaviorConfigurationContext(history) { Kernel = kernel });
        bool invoke = config.AutoInvoke && kernel is not null && options.Tools is { Count: > 0 };
        return (invoke ? _invoking : client, options);
    }

    /// <summary>Adds the turns the invoking client made (calls and results) to the history, and returns the last one.</summary>
    public static SkMessage Collect(ChatResponse response, ChatHistory history, Kernel? kernel)
    {
        var names = new Dictionary<string, string>();
        for (int i = 0; i < response.Messages.Count - 1; i++) history.Add(ToSk(response.Messages[i], response.ModelId, names, kernel));
        return ToSk(response.Messages[^1], response.ModelId, names, kernel);
    }

    /// <summary>After a stream: the calls and results among the streamed messages go into the history.</summary>
    public static void AddCallsAndResults(ChatResponse response, ChatHistory history, Kernel? kernel)
    {
        var names = new Dictionary<string, string>();
        foreach (var message in response.Messages)
            if (message.Contents.Any(c => c is Microsoft.Extensions.AI.FunctionCallContent or Microsoft.Extensions.AI.FunctionResultContent))
                history.Add(ToSk(message, response.ModelId, names, kernel));
    }

    /// <summary>A Microsoft.Extensions.AI message as Semantic Kernel's: text, function calls ("Plugin-Function" names
    /// split as Semantic Kernel writes them) and results (named after the call they answer).</summary>
    static SkMessage ToSk(ChatMessage message, string? modelId, Dictionary<string, string> names, Kernel? kernel)
    {
        var items = new ChatMessageContentItemCollection();
        foreach (var content in message.Contents)
            switch (content)
            {
                case Microsoft.Extensions.AI.TextContent text:
                    items.Add(new Microsoft.SemanticKernel.TextContent(text.Text));
                    break;
                case Microsoft.Extensions.AI.FunctionCallContent call:
                {
                    names[call.CallId] = call.Name;
                    var (plugin, function) = Split(call.Name, kernel);
                    var arguments = call.Arguments is null ? null : new KernelArguments(call.Arguments);
                    items.Add(new Microsoft.SemanticKernel.FunctionCallContent(function, plugin, call.CallId, arguments) { InnerContent = call });
                    break;
                }
                case Microsoft.Extensions.AI.FunctionResultContent result:
                {
                    var (plugin, function) = Split(names.GetValueOrDefault(result.CallId, ""), kernel);
                    items.Add(new Microsoft.SemanticKernel.FunctionResultContent(function, plugin, result.CallId, result.Result) { InnerContent = result });
                    break;
                }
            }
        return new SkMessage(new AuthorRole(message.Role.Value), items, modelId, innerContent: message);
    }

    /// <summary>The plugin and function a tool name stands for: looked up among the kernel's plugins (Semantic Kernel
    /// joins them with "_" or "-"), else split at the first "-".</summary>
    static (string? Plugin, string Function) Split(string name, Kernel? kernel)
    {
        foreach (var plugin in kernel?.Plugins ?? (IEnumerable<KernelPlugin>)[])
            foreach (var function in plugin)
                if (name == plugin.Name + "_" + function.Name || name == plugin.Name + "-" + function.Name) return (plugin.Name, function.Name);
        int at = name.IndexOf('-');
        return at < 0 ? (null, name) : (name[..at], name[(at + 1)..]);
    }
}
