using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace CoKv.SemanticKernel.Tests;

[Collection(TorchCollection.Name)]
public sealed class KernelPromptTests
{
    [Fact]
    public async Task InvokePromptAsync_WithCoKvSettings_CutsAtMaxTokensAndReportsTheCache()
    {
        using var host = TestHosts.Build();
        var kernel = host.Services.GetRequiredService<Kernel>();

        var result = await kernel.InvokePromptAsync(TestHosts.Story,
            new KernelArguments(new CoKvPromptExecutionSettings { MaxTokens = 8, BudgetPolicy = "snapkv", Budget = 12 }));

        var message = result.GetValue<ChatMessageContent>()!;
        Assert.False(string.IsNullOrEmpty(message.Content));
        var metadata = message.Metadata!;
        Assert.Equal("length", metadata["FinishReason"]);
        var usage = Assert.IsType<UsageDetails>(metadata["Usage"]);
        Assert.Equal(8, usage.OutputTokenCount);
        Assert.True(usage.InputTokenCount > 60, $"prompt tokens {usage.InputTokenCount}");
        Assert.Equal("snapkv", metadata["policy"]);
        Assert.Equal("explicit", metadata["profile_reason"]);
        Assert.Equal(12, metadata["budget"]);
        Assert.True((long)metadata["kv_bytes"]! < (long)metadata["kv_bytes_full"]!, $"{metadata["kv_bytes"]} vs {metadata["kv_bytes_full"]}");
        Assert.True((double)metadata["prefill_ms"]! > 0);
        Assert.True((double)metadata["decode_ms"]! > 0);
        Assert.True(metadata.ContainsKey("compression_ms"));
    }

    [Fact]
    public async Task InvokePromptStreamingAsync_WithJsonSettings_StreamsAndReadsTheSameKeys()
    {
        using var host = TestHosts.Build();
        var kernel = host.Services.GetRequiredService<Kernel>();
        // What a prompt template's execution_settings become: a plain PromptExecutionSettings with extension data.
        var settings = JsonSerializer.Deserialize<PromptExecutionSettings>(
            """{ "max_tokens": 6, "budget": "10", "budget_policy": "pyramid", "window": 4, "temperature": 0 }""")!;
        Assert.IsNotType<CoKvPromptExecutionSettings>(settings);

        var chunks = new List<StreamingChatMessageContent>();
        await foreach (var chunk in kernel.InvokePromptStreamingAsync<StreamingChatMessageContent>(TestHosts.Story, new KernelArguments(settings)))
            chunks.Add(chunk);

        Assert.True(chunks.Count >= 2, $"{chunks.Count} chunks");
        Assert.False(string.IsNullOrEmpty(string.Concat(chunks.Select(c => c.Content))));
        var last = chunks[^1].Metadata!;
        Assert.Equal("pyramid", last["policy"]);
        Assert.Equal(10, last["budget"]);
        Assert.Equal("length", last["FinishReason"]);
        Assert.Equal(6, ((UsageDetails)last["Usage"]!).OutputTokenCount);
    }

    [Fact]
    public async Task PromptTemplateConfigFromJson_CarriesTheSettings()
    {
        using var host = TestHosts.Build();
        var kernel = host.Services.GetRequiredService<Kernel>();
        var config = PromptTemplateConfig.FromJson(
            """
            {
              "name": "continue",
              "template": "{{$story}}",
              "input_variables": [ { "name": "story" } ],
              "execution_settings": { "default": { "max_tokens": 5, "budget_policy": "streaming", "task_type": "summarization" } }
            }
            """);
        var function = kernel.CreateFunctionFromPrompt(config);

        var result = await kernel.InvokeAsync(function, new KernelArguments { ["story"] = TestHosts.Story });

        var metadata = result.GetValue<ChatMessageContent>()!.Metadata!;
        Assert.Equal("streaming", metadata["policy"]);
        Assert.Equal("summarization", metadata["task_type"]);
        Assert.Equal(5, ((UsageDetails)metadata["Usage"]!).OutputTokenCount);
    }

    [Fact]
    public async Task ChatCompletionService_HasTheModelIdAttribute()
    {
        using var host = TestHosts.Build();
        var kernel = host.Services.GetRequiredService<Kernel>();
        var service = kernel.GetRequiredService<IChatCompletionService>();
        Assert.IsType<CoKvChatCompletionService>(service);
        Assert.Equal("stories260K", service.Attributes[Microsoft.SemanticKernel.Services.AIServiceExtensions.ModelIdKey]);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task MultiTurnChatHistory_SecondTurnReusesTheCachedPrefix()
    {
        using var host = TestHosts.Build();
        var chat = host.Services.GetRequiredService<Kernel>().GetRequiredService<IChatCompletionService>();
        var history = new ChatHistory("You tell short stories.");
        history.AddUserMessage(TestHosts.Story);
        var settings = new CoKvPromptExecutionSettings { MaxTokens = 6, BudgetPolicy = "full" };

        var first = await chat.GetChatMessageContentAsync(history, settings);
        Assert.Equal(0, first.Metadata!["reused_prompt_tokens"]);
        history.Add(first);
        history.AddUserMessage("What did Max do next?");
        var second = await chat.GetChatMessageContentAsync(history, settings);

        var reused = (int)second.Metadata!["reused_prompt_tokens"]!;
        var prompt = (int)second.Metadata!["prompt_tokens"]!;
        Assert.True(reused > ((UsageDetails)first.Metadata!["Usage"]!).InputTokenCount, $"reused {reused} of {prompt}");
        Assert.True(reused < prompt);
    }

    [Fact]
    public async Task KeyedKernelRegistration_IsFoundByServiceId()
    {
        var builder = Kernel.CreateBuilder();
        var dir = CoKv.Tests.TestPaths.TempDir("cokv-sk-keyed");
        builder.AddCoKvChatCompletion(o => TestHosts.Configure(o, dir), serviceId: "local");
        var kernel = builder.Build();

        var service = kernel.GetRequiredService<IChatCompletionService>("local");
        var reply = await service.GetChatMessageContentAsync("Once upon a time", new CoKvPromptExecutionSettings { MaxTokens = 3, ServiceId = "local" });

        Assert.Equal(3, ((UsageDetails)reply.Metadata!["Usage"]!).OutputTokenCount);
        Assert.Equal("fallback", reply.Metadata!["profile_reason"]);
        Assert.Equal("ada", reply.Metadata!["policy"]);
        (kernel.Services as IDisposable)?.Dispose();
    }
}
