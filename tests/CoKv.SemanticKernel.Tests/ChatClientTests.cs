using CoKv.Generation;
using CoKv.Profiles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace CoKv.SemanticKernel.Tests;

[Collection(TorchCollection.Name)]
public sealed class ChatClientTests
{
    [Fact]
    public async Task ChatClientFromDI_AnswersMetadataAndStreams()
    {
        using var host = TestHosts.Build();
        var client = host.Services.GetRequiredService<IChatClient>();

        var metadata = client.GetService<ChatClientMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal("cokv", metadata!.ProviderName);
        Assert.Equal("stories260K", metadata.DefaultModelId);

        var response = await client.GetResponseAsync(TestHosts.Story, new ChatOptions { MaxOutputTokens = 4 });
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(4, response.Usage!.OutputTokenCount);
        Assert.Equal("fallback", response.AdditionalProperties!["profile_reason"]);
        Assert.Equal("ada", response.AdditionalProperties!["policy"]);
    }

    [Fact]
    public async Task WithoutMaxTokens_RunsToAStopOrTheContext_NeverASmallSilentCap()
    {
        using var host = TestHosts.Build(o => o.ContextLength = 128);
        var client = host.Services.GetRequiredService<IChatClient>();

        var response = await client.GetResponseAsync("Once upon a time");

        // Either the model said EOS (stop) or it filled the 128-token context (length); never a cap far below it.
        var total = response.Usage!.InputTokenCount + response.Usage.OutputTokenCount;
        Assert.True(response.FinishReason == ChatFinishReason.Stop || total >= 127, $"{response.FinishReason} after {total} tokens");
    }

    [Fact]
    public async Task TaskTypeWithAProfile_UsesIt_AndClassifierFindsSummaries()
    {
        var dir = CoKv.Tests.TestPaths.TempDir("cokv-sk-select");
        using var host = TestHosts.Build(profileDirectory: dir);
        var client = host.Services.GetRequiredService<IChatClient>();
        // The model loads on first use; its fingerprint keys the profiles.
        await client.GetResponseAsync("Once", new ChatOptions { MaxOutputTokens = 1 });
        var model = client.GetService<LocalModel>()!;
        var store = new ProfileStore(dir);
        foreach (var task in new[] { "single-doc-qa", "summarization" })
            store.Save(new BudgetProfile
            {
                ModelFingerprint = model.Fingerprint, TaskType = task, Method = "cokv",
                Scores = HeadScores.Create(model.Config.LayerCount, model.Config.KvHeadCount,
                    Enumerable.Range(0, model.Config.LayerCount * model.Config.KvHeadCount).Select(i => (double)(i % 7)).ToArray()),
            });

        var explicitTask = await client.GetResponseAsync(TestHosts.Story, new ChatOptions
        {
            MaxOutputTokens = 3,
            AdditionalProperties = new() { ["task_type"] = "single-doc-qa" },
        });
        Assert.Equal("cokv", explicitTask.AdditionalProperties!["policy"]);
        Assert.Equal("explicit", explicitTask.AdditionalProperties["profile_reason"]);
        Assert.Equal(ProfileStore.FileName(model.Fingerprint, "single-doc-qa", "cokv"), explicitTask.AdditionalProperties["profile"]);
        var perHead = Assert.IsType<int[]>(explicitTask.AdditionalProperties["tokens_per_head"]);
        Assert.True(perHead.Distinct().Count() > 1, "CoKV gives heads different budgets");

        var classified = await client.GetResponseAsync("Please summarize this story. " + TestHosts.Story, new ChatOptions { MaxOutputTokens = 3 });
        Assert.Equal("classified", classified.AdditionalProperties!["profile_reason"]);
        Assert.Equal("summarization", classified.AdditionalProperties["task_type"]);
        Assert.Equal("cokv", classified.AdditionalProperties["policy"]);
    }

    [Fact]
    public async Task CancellingMidStream_StopsAndTheModelServesTheNextRequest()
    {
        using var host = TestHosts.Build();
        var client = host.Services.GetRequiredService<IChatClient>();
        using var cts = new CancellationTokenSource();
        var received = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(TestHosts.Story, new ChatOptions { MaxOutputTokens = 400 }, cts.Token))
                if (update.Text.Length > 0 && ++received == 2) cts.Cancel();
        });
        Assert.Equal(2, received);

        var next = await client.GetResponseAsync("Once upon a time", new ChatOptions { MaxOutputTokens = 2 });
        Assert.Equal(2, next.Usage!.OutputTokenCount);
    }

    [Fact]
    public async Task EightConcurrentRequests_AllComplete()
    {
        using var host = TestHosts.Build();
        var client = host.Services.GetRequiredService<IChatClient>();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => client.GetResponseAsync(
            $"Once upon a time there was a cat number {i}.",
            new ChatOptions { MaxOutputTokens = 5, Temperature = 0.8f, Seed = i, ConversationId = $"c{i}" })));

        Assert.All(answers, a => Assert.Equal(5, a.Usage!.OutputTokenCount));
        Assert.All(answers, a => Assert.Equal(ChatFinishReason.Length, a.FinishReason));
    }
}
