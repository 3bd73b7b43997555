using System.Text.Json;
using CoKv.Chat;
using CoKv.SemanticKernel.Tools;
using CoKv.Tests;
using CoKv.Tokenization;
using Microsoft.Extensions.AI;

namespace CoKv.SemanticKernel.Tests;

/// <summary>Each family's tool convention, as exact prompt strings (written by hand from the official templates).</summary>
public sealed class ToolTemplateTests
{
    const string Schema = """{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}""";

    static ChatOptions Options(string? instructions = null) => new()
    {
        Tools = [AIFunctionFactory.CreateDeclaration("get_weather", "Weather of a city", JsonDocument.Parse(Schema).RootElement)],
        Instructions = instructions,
    };

    static List<ChatMessage> Conversation() =>
    [
        new(ChatRole.System, "Be brief."),
        new(ChatRole.User, "Weather in Paris?"),
        new(ChatRole.Assistant, [new FunctionCallContent("abc123XYZ", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]),
        new(ChatRole.Tool, [new FunctionResultContent("abc123XYZ", "18 C")]),
    ];

    static string Render(ChatTemplateFamily family, string vocab, ChatOptions options, List<ChatMessage> messages)
    {
        var tokenizer = TokenizerFactory.FromGguf(vocab);
        var request = ToolRequest.From(options, family);
        Assert.True(request.NeedsToolRendering(messages));
        return request.Render(family, tokenizer, messages).Text;
    }

    [Fact]
    public void Hermes_Qwen_WritesToolsInSystem_CallsInToolCallTags_ResultsInToolResponse()
    {
        var text = Render(ChatTemplateFamily.ChatML, TestPaths.VocabFile("ggml-vocab-qwen2.gguf"), Options(), Conversation());
        Assert.Equal(
            "<|im_start|>system\nBe brief.\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n" +
            "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n" +
            "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Weather of a city\", \"parameters\": " +
            "{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}}}\n</tools>\n\n" +
            "For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n" +
            "<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" +
            "<|im_start|>user\nWeather in Paris?<|im_end|>\n" +
            "<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call><|im_end|>\n" +
            "<|im_start|>user\n<tool_response>\n18 C\n</tool_response><|im_end|>\n" +
            "<|im_start|>assistant\n", text);
    }

    [Fact]
    public void Llama31_WritesToolsInFirstUserMessage_CallAsJson_ResultAsIpython()
    {
        var text = Render(ChatTemplateFamily.Llama3, TestPaths.VocabFile("ggml-vocab-llama-bpe.gguf"), Options(), Conversation());
        Assert.Equal(
            "<|start_header_id|>system<|end_header_id|>\n\nEnvironment: ipython\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n" +
            "Be brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n" +
            "Given the following functions, please respond with a JSON for a function call with its proper arguments that best answers the given prompt.\n\n" +
            "Respond in the format {\"name\": function name, \"parameters\": dictionary of argument name and its value}.Do not use variables.\n\n" +
            "{\n    \"type\": \"function\",\n    \"function\": {\n        \"name\": \"get_weather\",\n        \"description\": \"Weather of a city\",\n" +
            "        \"parameters\": {\n            \"type\": \"object\",\n            \"properties\": {\n                \"city\": {\n" +
            "                    \"type\": \"string\"\n                }\n            },\n            \"required\": [\n                \"city\"\n" +
            "            ]\n        }\n    }\n}\n\nWeather in Paris?<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\n{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}<|eot_id|>" +
            "<|start_header_id|>ipython<|end_header_id|>\n\n18 C<|eot_id|>" +
            "<|start_header_id|>assistant<|end_header_id|>\n\n", text);
    }

    [Fact]
    public void MistralV03_WritesAvailableTools_ToolCalls_ToolResults()
    {
        var text = Render(ChatTemplateFamily.Mistral, TestPaths.VocabFile("ggml-vocab-llama-spm.gguf"), Options(), Conversation());
        Assert.Equal(
            "[AVAILABLE_TOOLS] [{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Weather of a city\", " +
            "\"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}}}][/AVAILABLE_TOOLS]" +
            "[INST] Be brief.\n\nWeather in Paris?[/INST]" +
            "[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}, \"id\": \"abc123XYZ\"}]</s>" +
            "[TOOL_RESULTS] {\"content\": 18 C, \"call_id\": \"abc123XYZ\"}[/TOOL_RESULTS]", text);
    }

    [Fact]
    public void Compact_WritesItsOwnConvention()
    {
        var text = Render(ChatTemplateFamily.Compact, ToolModels.Default, Options(), Conversation());
        Assert.Equal(
            "<|user|>Be brief. You can call these functions: {\"name\": \"get_weather\", \"description\": \"Weather of a city\", \"parameters\": " +
            "{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}}. " +
            "To call one, answer: [call] {\"name\": \"<function name>\", \"arguments\": {<arguments>}} Weather in Paris?" +
            "<|assistant|>[call] {\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}<|end|>" +
            "<|user|>[result] 18 C<|assistant|>", text);
    }

    [Fact]
    public void Instructions_OpenTheSystemMessage()
    {
        var options = new ChatOptions { Instructions = "Answer in French." };
        var text = Render(ChatTemplateFamily.ChatML, TestPaths.VocabFile("ggml-vocab-qwen2.gguf"), options,
            [new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hi")]);
        Assert.Equal("<|im_start|>system\nAnswer in French.\n\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", text);

        var alone = Render(ChatTemplateFamily.ChatML, TestPaths.VocabFile("ggml-vocab-qwen2.gguf"), options, [new(ChatRole.User, "Hi")]);
        Assert.Equal("<|im_start|>system\nAnswer in French.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", alone);
    }

    [Fact]
    public void ParsesEachFamilysCalls()
    {
        var hermes = ToolFormat.For(ChatTemplateFamily.ChatML).ParseCalls("<tool_call>\n{\"name\": \"a\", \"arguments\": {\"x\": 1}}\n</tool_call>\n<tool_call>\n{\"name\": \"b\", \"arguments\": {}}\n</tool_call>")!;
        Assert.Equal(["a", "b"], hermes.Select(c => c.Name));
        Assert.Equal(1, hermes[0].Arguments.GetProperty("x").GetInt32());
        var llama = ToolFormat.For(ChatTemplateFamily.Llama3).ParseCalls("{\"name\": \"a\", \"parameters\": {\"x\": 2}}")!;
        Assert.Equal(2, llama.Single().Arguments.GetProperty("x").GetInt32());
        var mistral = ToolFormat.For(ChatTemplateFamily.Mistral).ParseCalls("[TOOL_CALLS] [{\"name\": \"a\", \"arguments\": {\"x\": 3}}, {\"name\": \"b\", \"arguments\": {}}]")!;
        Assert.Equal(["a", "b"], mistral.Select(c => c.Name));
        var compact = ToolFormat.For(ChatTemplateFamily.Compact).ParseCalls(" [call] {\"name\": \"a\", \"arguments\": {\"x\": 4}}")!;
        Assert.Equal(4, compact.Single().Arguments.GetProperty("x").GetInt32());
        Assert.Null(ToolFormat.For(ChatTemplateFamily.ChatML).ParseCalls("The weather is fine."));
    }

    [Fact]
    public void NonFunctionTools_AreRefusedByName()
    {
        var options = new ChatOptions { Tools = [new HostedWebSearchTool()] };
        var e = Assert.Throws<NotSupportedException>(() => ToolRequest.From(options, ChatTemplateFamily.ChatML));
        Assert.Contains("HostedWebSearchTool", e.Message);
    }
}
