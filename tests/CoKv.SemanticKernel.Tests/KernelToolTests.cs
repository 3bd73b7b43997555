using System.ComponentModel;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using SkFunctionCall = Microsoft.SemanticKernel.FunctionCallContent;
using SkFunctionResult = Microsoft.SemanticKernel.FunctionResultContent;

namespace CoKv.SemanticKernel.Tests;

/// <summary>Semantic Kernel's own function calling (a plugin, FunctionChoiceBehavior.Required with auto-invocation) on
/// the default model and on a random-weight Qwen2 model.</summary>
[Collection(TorchCollection.Name)]
public sealed class KernelToolTests
{
    public sealed class FactsPlugin
    {
        public List<string> Keys { get; } = new();

        [KernelFunction("lookup"), Description("Looks up the value stored under a key.")]
        public string Lookup([Description("The key, one word")] string key)
        {
            Keys.Add(key);
            return $"The value of {key} is tilu.";
        }
    }

    [Theory]
    [InlineData("default")]
    [InlineData(ToolModels.Qwen2)]
    public async Task RequiredChoice_InvokesThePluginAndTheResultReachesTheNextTurn(string model)
    {
        var path = model == "default" ? ToolModels.Default : ToolModels.Path(model);
        var builder = Kernel.CreateBuilder();
        builder.AddCoKvChatCompletion(o =>
        {
            o.ModelPath = path;
            o.ProfileDirectory = CoKv.Tests.TestPaths.TempDir("kernel-tools");
            o.Threads = 1;
        });
        var facts = new FactsPlugin();
        builder.Plugins.AddFromObject(facts, "facts");
        var kernel = builder.Build();
        var chat = kernel.GetRequiredService<IChatCompletionService>();
        var history = new ChatHistory();
        history.AddUserMessage("What is the value of bako?");
        var settings = new CoKvPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Required(), MaxTokens = 80 };

        var reply = await chat.GetChatMessageContentAsync(history, settings, kernel);

        var key = Assert.Single(facts.Keys);
        var call = history.SelectMany(m => m.Items).OfType<SkFunctionCall>().Single();
        Assert.Equal("lookup", call.FunctionName);
        Assert.Equal("facts", call.PluginName);
        Assert.Equal(key, call.Arguments!["key"]?.ToString());
        var result = history.SelectMany(m => m.Items).OfType<SkFunctionResult>().Single();
        Assert.Equal(call.Id, result.CallId);
        Assert.Equal($"The value of {key} is tilu.", result.Result?.ToString());
        Assert.Equal(AuthorRole.Assistant, reply.Role);
        // Usage adds up both requests of the loop (the call, then the answer).
        Assert.True(((UsageDetails)reply.Metadata!["Usage"]!).OutputTokenCount > 1);
        Assert.True(reply.Metadata!.ContainsKey("kv_bytes"));

        // The next turn renders the call and its result from the history: its prompt is longer than the same
        // conversation without them by at least the result's tokens.
        history.Add(reply);
        history.AddUserMessage("Thanks.");
        var plain = new ChatHistory();
        plain.AddUserMessage("What is the value of bako?");
        plain.Add(reply);
        plain.AddUserMessage("Thanks.");
        var four = new CoKvPromptExecutionSettings { MaxTokens = 4 };
        var withTools = (int)(await chat.GetChatMessageContentAsync(history, four, kernel)).Metadata!["prompt_tokens"]!;
        var without = (int)(await chat.GetChatMessageContentAsync(plain, four, kernel)).Metadata!["prompt_tokens"]!;
        Assert.True(withTools >= without + 6, $"{withTools} vs {without}");
        (kernel.Services as IDisposable)?.Dispose();
    }

    [Fact]
    public async Task StreamingRequiredChoice_InvokesThePlugin_AndPutsTheCallInTheHistory()
    {
        var builder = Kernel.CreateBuilder();
        builder.AddCoKvChatCompletion(o =>
        {
            o.ModelPath = ToolModels.Path(ToolModels.Qwen2);
            o.ProfileDirectory = CoKv.Tests.TestPaths.TempDir("kernel-tools");
            o.Threads = 1;
        });
        var facts = new FactsPlugin();
        builder.Plugins.AddFromObject(facts, "facts");
        var kernel = builder.Build();
        var chat = kernel.GetRequiredService<IChatCompletionService>();
        var history = new ChatHistory();
        history.AddUserMessage("What is the value of bako?");
        var settings = new CoKvPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Required(), MaxTokens = 80 };

        var chunks = new List<StreamingChatMessageContent>();
        await foreach (var chunk in chat.GetStreamingChatMessageContentsAsync(history, settings, kernel)) chunks.Add(chunk);

        var key = Assert.Single(facts.Keys);
        var call = history.SelectMany(m => m.Items).OfType<SkFunctionCall>().Single();
        Assert.Equal(key, call.Arguments!["key"]?.ToString());
        Assert.Equal($"The value of {key} is tilu.", history.SelectMany(m => m.Items).OfType<SkFunctionResult>().Single().Result?.ToString());
        Assert.Contains(chunks, c => c.Metadata?.ContainsKey("kv_bytes") == true);
        (kernel.Services as IDisposable)?.Dispose();
    }
}
