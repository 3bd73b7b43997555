using CoKv.Tests;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace CoKv.SemanticKernel.Tests;

/// <summary>One registration, two engines: the "Engine" key switches between ours and llama.cpp's full cache (LLamaSharp).</summary>
[Collection(TorchCollection.Name)]
public sealed class LlamaSharpEngineTests
{
    static ServiceProvider Provider(string engine)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CoKv:ModelPath"] = TestHosts.ModelPath,
            ["CoKv:Engine"] = engine,
            ["CoKv:Threads"] = "1",
            ["CoKv:ProfileDirectory"] = TestPaths.TempDir("llamasharp-engine"),
        }).Build();
        var services = new ServiceCollection();
        services.AddCoKvChatClient(config.GetSection("CoKv"));
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task Switching_the_engine_key_gives_llama_cpp_the_same_prompt_and_the_same_greedy_answer()
    {
        var options = new ChatOptions { MaxOutputTokens = 24, AdditionalProperties = new() { [CoKvSettingKeys.BudgetPolicy] = "full" } };
        ChatResponse ours, theirs;
        using (var provider = Provider("CoKv"))
            ours = await provider.GetRequiredService<IChatClient>().GetResponseAsync(TestHosts.Story, options);
        using (var provider = Provider("LlamaSharp"))
        {
            var client = provider.GetRequiredService<IChatClient>();
            Assert.IsType<LlamaSharpChatClient>(client);
            Assert.Equal("llamasharp", client.GetService<ChatClientMetadata>()!.ProviderName);
            theirs = await client.GetResponseAsync(TestHosts.Story, options);
        }

        Assert.Equal(ours.Usage!.InputTokenCount, theirs.Usage!.InputTokenCount);
        Assert.Equal(ours.Usage.OutputTokenCount, theirs.Usage.OutputTokenCount);
        Assert.Equal(ours.FinishReason, theirs.FinishReason);
        Assert.False(string.IsNullOrWhiteSpace(theirs.Text));
        Assert.Equal(ours.Text, theirs.Text);

        Assert.Equal("cokv", ours.AdditionalProperties![CoKvMetadataKeys.Engine]);
        var facts = theirs.AdditionalProperties!;
        Assert.Equal("llamasharp", facts[CoKvMetadataKeys.Engine]);
        Assert.Equal("full", facts[CoKvMetadataKeys.Policy]);
        Assert.Equal(facts[CoKvMetadataKeys.KvBytesFull], facts[CoKvMetadataKeys.KvBytes]);
        // stories260K: 5 layers × 4 KV heads × head dim 8, K and V in f32, for every position fed to the model
        // (the prompt and each new token but the last).
        long positions = (long)theirs.Usage.InputTokenCount! + theirs.Usage.OutputTokenCount!.Value - 1;
        Assert.Equal(2L * 5 * 4 * 8 * 4 * positions, facts[CoKvMetadataKeys.KvBytes]);
        Assert.Equal((int)theirs.Usage.InputTokenCount!, facts[CoKvMetadataKeys.PromptTokens]);
    }

    [Fact]
    public async Task Semantic_Kernel_reaches_the_llama_cpp_engine_through_the_same_registration()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddCoKvChatCompletion(o =>
        {
            TestHosts.Configure(o, TestPaths.TempDir("llamasharp-sk"));
            o.Engine = CoKvEngine.LlamaSharp;
            o.LoadOnStart = true;
        });
        builder.Services.AddKernel();
        using var host = builder.Build();
        await host.StartAsync();
        var chat = host.Services.GetRequiredService<Kernel>().GetRequiredService<IChatCompletionService>();
        var history = new ChatHistory();
        history.AddUserMessage(TestHosts.Story);
        var reply = await chat.GetChatMessageContentAsync(history, new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { ["max_tokens"] = 8 } });
        Assert.Equal("llamasharp", reply.Metadata![CoKvMetadataKeys.Engine]);
        Assert.Equal(8, ((UsageDetails)reply.Metadata[CoKvMetadataKeys.Usage]!).OutputTokenCount);
        Assert.Equal("length", reply.Metadata[CoKvMetadataKeys.FinishReason]?.ToString());
        await host.StopAsync();
    }

    [Fact]
    public void The_llama_cpp_engine_needs_a_gguf()
    {
        var options = new CoKvOptions { ModelPath = TestPaths.SharedModel("stories260K.bin"), Engine = CoKvEngine.LlamaSharp };
        var result = new CoKvOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains(".gguf"));
        Assert.Throws<NotSupportedException>(() =>
            new LlamaSharpChatClient(new CoKvOptions { ModelPath = TestHosts.ModelPath })
                .GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Once")], new ChatOptions { Temperature = 0.7f })
                .GetAsyncEnumerator().MoveNextAsync().AsTask().GetAwaiter().GetResult());
    }
}
