using System.Text;
using CoKv.Chat;
using CoKv.Generation;
using CoKv.Tests;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using SkChatMessageContent = Microsoft.SemanticKernel.ChatMessageContent;

namespace CoKv.SemanticKernel.Tests;

/// <summary>
/// What the connector says: through IChatClient, IChatCompletionService and Kernel, streaming or not, the reply is
/// the engine's greedy continuation (full cache) of the whole conversation in the model's template, computed
/// independently by <see cref="GreedyReference"/>. Run on stories260K (no template: Plain) and the default model
/// (its Compact template).
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class ConnectorReplyTests
{
    const int MaxTokens = 24;

    static readonly ChatTurn[] Conversation =
    [
        ChatTurn.System("You tell short stories about animals."),
        ChatTurn.User("Tell me about a cat."),
        ChatTurn.Assistant("A cat sat on a mat in the sun."),
        ChatTurn.User("What did the dog do?"),
    ];

    public static TheoryData<string> Models => new() { "stories260K", "cokv-default" };

    static string ModelPath(string name) => name == "stories260K"
        ? TestPaths.SharedModel("stories260K.gguf")
        : Path.Combine(TestPaths.RepoRoot, "models", "cokv-default", "cokv-default.gguf");

    /// <summary>A host whose requests keep the full cache, so that their answers are the plain greedy ones.</summary>
    static IHost Build(string model, Action<CoKvOptions>? tweak = null) => TestHosts.Build(o =>
    {
        o.ModelPath = ModelPath(model);
        o.FallbackPolicy = BudgetPolicyNames.Full;
        o.ClassifyRequests = false;
        tweak?.Invoke(o);
    });

    static async Task<LocalModel> LoadedModel(IHost host) =>
        await host.Services.GetRequiredService<Engine.CoKvModelHost>().GetModelAsync(CancellationToken.None);

    static ChatMessage ToMessage(ChatTurn turn) => new(new ChatRole(turn.Role), turn.Content);

    static ChatHistory ToHistory(IEnumerable<ChatTurn> turns)
    {
        var history = new ChatHistory();
        foreach (var turn in turns) history.AddMessage(new AuthorRole(turn.Role), turn.Content);
        return history;
    }

    static GreedyReference.Reply Expected(LocalModel model, IReadOnlyList<ChatTurn> turns, int maxTokens = MaxTokens)
    {
        var expected = GreedyReference.For(model, turns, maxTokens);
        // A reply of a few characters would make the comparisons weak.
        Assert.True(expected.Text.Trim().Length >= 8, $"reference reply '{expected.Text}'");
        return expected;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task ChatClient_reply_and_stream_are_the_greedy_continuation_of_the_whole_conversation(string name)
    {
        using var host = Build(name);
        var client = host.Services.GetRequiredService<IChatClient>();
        var model = await LoadedModel(host);
        var expected = Expected(model, Conversation);
        // The reference prompt holds every turn; the client's must have exactly its tokens.
        var referencePrompt = model.Tokenizer.Decode(model.EncodeChat(Conversation, addGenerationPrompt: true));
        Assert.All(Conversation, turn => Assert.Contains(turn.Content.TrimEnd('.'), referencePrompt));
        var messages = Conversation.Select(ToMessage).ToList();

        var response = await client.GetResponseAsync(messages, new ChatOptions { MaxOutputTokens = MaxTokens, ConversationId = "whole" });
        Assert.Equal(expected.Text, response.Text);
        Assert.Equal(expected.PromptTokens, response.Usage!.InputTokenCount);
        Assert.Equal(expected.Tokens.Length, response.Usage.OutputTokenCount);
        Assert.Equal(expected.StoppedByModel ? ChatFinishReason.Stop : ChatFinishReason.Length, response.FinishReason);

        var streamed = new StringBuilder();
        var textUpdates = 0;
        await foreach (var update in client.GetStreamingResponseAsync(messages, new ChatOptions { MaxOutputTokens = MaxTokens, ConversationId = "streamed" }))
            if (update.Text.Length > 0)
            {
                streamed.Append(update.Text);
                textUpdates++;
            }
        Assert.Equal(expected.Text, streamed.ToString());
        Assert.True(textUpdates > 1, $"{textUpdates} text updates: the reply should stream token by token");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Each_turn_reaches_the_prompt(string name)
    {
        using var host = Build(name);
        var client = host.Services.GetRequiredService<IChatClient>();
        var model = await LoadedModel(host);
        var whole = GreedyReference.For(model, Conversation, 1).PromptTokens;
        // Leaving any one turn out changes the prompt by exactly what the reference says it should.
        for (var left = 0; left < Conversation.Length - 1; left++)
        {
            var turns = Conversation.Where((_, i) => i != left).ToArray();
            var response = await client.GetResponseAsync(turns.Select(ToMessage).ToList(), new ChatOptions { MaxOutputTokens = 1, ConversationId = $"without-{left}" });
            var expected = GreedyReference.For(model, turns, 1).PromptTokens;
            Assert.Equal(expected, response.Usage!.InputTokenCount);
            Assert.True(expected < whole, $"without turn {left}: {expected} tokens of {whole}");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task ChatCompletionService_reply_and_stream_are_the_greedy_continuation(string name)
    {
        using var host = Build(name);
        var chat = host.Services.GetRequiredService<Kernel>().GetRequiredService<IChatCompletionService>();
        var model = await LoadedModel(host);
        var expected = Expected(model, Conversation);
        var settings = new CoKvPromptExecutionSettings { MaxTokens = MaxTokens };

        var reply = await chat.GetChatMessageContentAsync(ToHistory(Conversation), settings);
        Assert.Equal(expected.Text, reply.Content);
        Assert.Equal(AuthorRole.Assistant, reply.Role);
        Assert.Equal(expected.PromptTokens, ((UsageDetails)reply.Metadata!["Usage"]!).InputTokenCount);

        var chunks = new List<StreamingChatMessageContent>();
        await foreach (var chunk in chat.GetStreamingChatMessageContentsAsync(ToHistory(Conversation), settings))
            chunks.Add(chunk);
        Assert.Equal(expected.Text, string.Concat(chunks.Select(c => c.Content)));
        Assert.True(chunks.Count(c => !string.IsNullOrEmpty(c.Content)) > 1, $"{chunks.Count} chunks");
        Assert.Equal(expected.Tokens.Length, ((UsageDetails)chunks[^1].Metadata!["Usage"]!).OutputTokenCount);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Kernel_prompt_with_a_system_message_answers_the_greedy_continuation(string name)
    {
        using var host = Build(name);
        var kernel = host.Services.GetRequiredService<Kernel>();
        var model = await LoadedModel(host);
        // Semantic Kernel reads <message> tags in a prompt as chat history.
        const string prompt = """
            <message role="system">You tell short stories about animals.</message>
            <message role="user">Tell me about a cat.</message>
            """;
        var expected = Expected(model, [Conversation[0], Conversation[1]]);
        var arguments = new KernelArguments(new CoKvPromptExecutionSettings { MaxTokens = MaxTokens });

        var result = await kernel.InvokePromptAsync(prompt, arguments);
        var message = result.GetValue<SkChatMessageContent>()!;
        Assert.Equal(expected.Text, message.Content);
        Assert.Equal(expected.PromptTokens, ((UsageDetails)message.Metadata!["Usage"]!).InputTokenCount);

        var streamed = new StringBuilder();
        await foreach (var chunk in kernel.InvokePromptStreamingAsync<StreamingChatMessageContent>(prompt, arguments))
            streamed.Append(chunk.Content);
        Assert.Equal(expected.Text, streamed.ToString());

        // A prompt without tags is one user message.
        var plain = Expected(model, [ChatTurn.User("Tell me about a cat.")]);
        Assert.Equal(plain.Text, (await kernel.InvokePromptAsync("Tell me about a cat.", arguments)).GetValue<SkChatMessageContent>()!.Content);
    }

    [Fact]
    public async Task Stop_sequences_cut_the_reply_where_the_greedy_text_first_spells_them()
    {
        using var host = Build("stories260K");
        var model = await LoadedModel(host);
        var turns = new[] { ChatTurn.User("Tell me about a cat.") };
        var expected = Expected(model, turns, 40);
        // A word from the second half of the reference reply; the answer ends just before its first occurrence.
        var words = expected.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var stop = " " + words[words.Length / 2 + 1];
        var at = expected.Text.IndexOf(stop, StringComparison.Ordinal);
        Assert.True(at > 0, $"'{stop}' in '{expected.Text}'");

        var client = host.Services.GetRequiredService<IChatClient>();
        var response = await client.GetResponseAsync(turns.Select(ToMessage).ToList(), new ChatOptions { MaxOutputTokens = 40, StopSequences = [stop] });
        Assert.Equal(expected.Text[..at], response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);

        var chat = host.Services.GetRequiredService<Kernel>().GetRequiredService<IChatCompletionService>();
        var settings = new CoKvPromptExecutionSettings { MaxTokens = 40, StopSequences = [stop] };
        var reply = await chat.GetChatMessageContentAsync(ToHistory(turns), settings);
        Assert.Equal(expected.Text[..at], reply.Content);
        Assert.Equal("stop", reply.Metadata!["FinishReason"]);
        var streamed = new StringBuilder();
        await foreach (var chunk in chat.GetStreamingChatMessageContentsAsync(ToHistory(turns), settings)) streamed.Append(chunk.Content);
        Assert.Equal(expected.Text[..at], streamed.ToString());
    }

    [Fact]
    public async Task A_prompt_longer_than_the_context_fails_with_a_clear_error_through_the_kernel()
    {
        using var host = Build("stories260K", o => o.ContextLength = 48);
        var kernel = host.Services.GetRequiredService<Kernel>();
        var e = await Assert.ThrowsAnyAsync<Exception>(() => kernel.InvokePromptAsync(TestHosts.Story,
            new KernelArguments(new CoKvPromptExecutionSettings { MaxTokens = 4 })));
        var messages = string.Join(" | ", Chain(e).Select(x => x.Message));
        Assert.Contains("context length of 48", messages);
        Assert.Matches(@"prompt has \d+ tokens", messages);

        // The model still serves a prompt that fits.
        var fits = await kernel.InvokePromptAsync("Once upon a time", new KernelArguments(new CoKvPromptExecutionSettings { MaxTokens = 2 }));
        Assert.Equal(2, ((UsageDetails)fits.GetValue<SkChatMessageContent>()!.Metadata!["Usage"]!).OutputTokenCount);
    }

    static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x != null; x = x.InnerException) yield return x;
    }
}
