using System.ComponentModel;
using System.Text.Json;
using CoKv.Chat;
using CoKv.Generation.Constraints;
using CoKv.SemanticKernel.Tools;
using CoKv.Tokenization;
using Microsoft.Extensions.AI;

namespace CoKv.SemanticKernel.Tests;

/// <summary>
/// Tool calling and JSON output through Microsoft.Extensions.AI's own surfaces (ChatClientBuilder().UseFunctionInvocation())
/// on random-weight models with the Qwen2, Llama 3 and Mistral vocabularies and templates: whatever the weights, a
/// forced call is well formed, is invoked, and its result reaches the next turn in the family's form.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class ToolCallingTests
{
    public enum Unit { Celsius, Fahrenheit }

    /// <summary>Records the messages of every request that reaches the model.</summary>
    sealed class Recorder(IChatClient inner) : DelegatingChatClient(inner)
    {
        public List<List<ChatMessage>> Requests { get; } = new();

        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Requests.Add(messages.ToList());
            return base.GetResponseAsync(messages, options, cancellationToken);
        }
    }

    [Theory]
    [InlineData(ToolModels.Qwen2, ChatTemplateFamily.ChatML, "<tool_response>\n")]
    [InlineData(ToolModels.Llama3, ChatTemplateFamily.Llama3, "<|start_header_id|>ipython<|end_header_id|>\n\n")]
    [InlineData(ToolModels.Mistral, ChatTemplateFamily.Mistral, "[TOOL_RESULTS] {\"content\": ")]
    public async Task ForcedCall_OnARandomModel_IsInvokedAndItsResultReachesTheNextTurn(string family, ChatTemplateFamily template, string resultMarker)
    {
        using var model = ToolModels.Client(ToolModels.Path(family));
        var recorder = new Recorder(model);
        using var client = new ChatClientBuilder(recorder).UseFunctionInvocation().Build();
        var invocations = new List<(string City, Unit Unit)>();
        var weather = AIFunctionFactory.Create(
            ([Description("City name")] string city, Unit unit) =>
            {
                invocations.Add((city, unit));
                return $"18 degrees {unit} in {city}";
            }, "get_weather", "Current weather of a city");
        var options = new ChatOptions { Tools = [weather], ToolMode = ChatToolMode.RequireAny, MaxOutputTokens = 120, AllowMultipleToolCalls = false };

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "What is the weather in Paris?")], options);

        var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().First();
        Assert.Null(call.Exception);
        Assert.Equal("get_weather", call.Name);
        var (city, unit) = Assert.Single(invocations);
        Assert.Equal(call.Arguments!["city"], city);
        var result = response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single();
        Assert.Equal(call.CallId, result.CallId);
        Assert.Equal($"18 degrees {unit} in {city}", result.Result?.ToString());

        // The second request carried the result, and the prompt writes it in the family's tool-result form.
        Assert.Equal(2, recorder.Requests.Count);
        var second = recorder.Requests[1];
        Assert.Contains(second.SelectMany(m => m.Contents).OfType<FunctionResultContent>(), r => r.CallId == call.CallId);
        var tokenizer = ((CoKv.Generation.LocalModel)model.GetService(typeof(CoKv.Generation.LocalModel))!).Tokenizer;
        var prompt = ToolRequest.From(new ChatOptions { Tools = [weather] }, template).Render(template, tokenizer, second).Text;
        Assert.Contains(resultMarker + (family == ToolModels.Mistral ? "" : "") + $"18 degrees {unit} in {city}", prompt);
        Assert.Equal(ChatRole.Assistant, response.Messages[^1].Role);
    }

    [Fact]
    public async Task StreamingForcedCall_ArrivesAsOneUpdate()
    {
        using var model = ToolModels.Client(ToolModels.Path(ToolModels.Qwen2));
        var tool = AIFunctionFactory.Create((int days) => days, "forecast", "Forecast for some days");
        var options = new ChatOptions { Tools = [tool], ToolMode = ChatToolMode.RequireSpecific("forecast"), MaxOutputTokens = 60 };

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in model.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Forecast?")], options)) updates.Add(update);

        var withCalls = updates.Where(u => u.Contents.OfType<FunctionCallContent>().Any()).ToList();
        var call = Assert.Single(Assert.Single(withCalls).Contents.OfType<FunctionCallContent>());
        Assert.Equal("forecast", call.Name);
        Assert.Null(call.Exception);
        Assert.Equal(JsonValueKind.Number, ((JsonElement)call.Arguments!["days"]!).ValueKind);
        Assert.Equal("", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(ChatFinishReason.ToolCalls, updates[^1].FinishReason);
    }

    [Theory]
    [InlineData(ToolModels.Qwen2)]
    [InlineData(ToolModels.Mistral)]
    public async Task JsonSchemaResponse_OnARandomModel_ParsesAndValidates(string family)
    {
        using var client = ToolModels.Client(ToolModels.Path(family));
        var schema = JsonDocument.Parse("""
            {"type": "object", "properties": {"name": {"type": "string", "maxLength": 20}, "age": {"type": "integer"},
             "pets": {"type": "array", "items": {"enum": ["cat", "dog"]}, "maxItems": 3}}, "required": ["name", "age"]}
            """).RootElement;
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema), MaxOutputTokens = 80 };

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Describe a person.")], options);

        using var doc = JsonDocument.Parse(response.Text);
        Assert.Null(JsonSchemaCheck.FindError(doc.RootElement, schema));
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task JsonMode_WithoutSchema_GivesAnObjectWithinTheTokenLimit()
    {
        using var client = ToolModels.Client(ToolModels.Path(ToolModels.Llama3));
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.Json, MaxOutputTokens = 60 };

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "JSON please.")], options);

        using var doc = JsonDocument.Parse(response.Text);
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
    }

    [Fact]
    public async Task UnsupportedTool_FailsTheRequest_NeverDroppedSilently()
    {
        using var client = ToolModels.Client(ToolModels.Default);
        var options = new ChatOptions { Tools = [new HostedCodeInterpreterTool()] };
        var e = await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "Hi")], options));
        Assert.Contains("HostedCodeInterpreterTool", e.Message);
    }
}
