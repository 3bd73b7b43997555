using System.Text;
using CoKv.Chat;
using CoKv.Generation.Constraints;

namespace CoKv.SemanticKernel.Tools;

/// <summary>
/// Llama 3.1 / 3.2 (custom tools, as their template writes them by default): "Environment: ipython" and the
/// template's dates open the system message; the tool definitions (tojson, indent 4) and the instruction to answer
/// with {"name": ..., "parameters": ...} open the first user message; a call is that JSON object alone in the
/// assistant turn (one call per turn); results come back in the "ipython" role.
/// </summary>
public sealed class Llama3ToolFormat : ToolFormat
{
    public override string Name => "llama3";
    public override bool SupportsParallelCalls => false;
    public override string CallOpener => "{\"name\"";
    protected override string ArgumentsKey => "parameters";

    /// <summary>The template's system lines when tools are given and no date is passed.</summary>
    public const string SystemHeader = "Environment: ipython\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n";

    public const string UserPreamble = "Given the following functions, please respond with a JSON for a function call with its proper arguments " +
        "that best answers the given prompt.\n\nRespond in the format {\"name\": function name, \"parameters\": dictionary of argument name " +
        "and its value}.Do not use variables.\n\n";

    public override string Render(IReadOnlyList<ToolTurn> turns, IReadOnlyList<ToolDefinition>? tools, ChatTemplateFamily family, string? bosText, string? eosText)
    {
        var chat = new List<ChatTurn>();
        foreach (var turn in turns)
            chat.Add(turn.Role == ChatRoles.Assistant && turn.Calls.Count > 0
                ? ChatTurn.Assistant(string.Join("", turn.Calls.Select(CallJson)))
                : new ChatTurn(turn.Role, turn.Text));
        if (tools is { Count: > 0 })
        {
            if (chat.Count > 0 && chat[0].Role == ChatRoles.System) chat[0] = ChatTurn.System(SystemHeader + chat[0].Content);
            else chat.Insert(0, ChatTurn.System(SystemHeader));
            var first = chat.FindIndex(t => t.Role == ChatRoles.User);
            if (first < 0) throw new ArgumentException("Llama 3.1's tool format writes the tools into the first user message; the conversation has none.");
            var block = new StringBuilder(UserPreamble);
            foreach (var tool in tools)
                block.Append(JsonText.Indented(System.Text.Json.JsonSerializer.SerializeToElement(new Dictionary<string, object?>
                {
                    ["type"] = "function",
                    ["function"] = tool.FunctionObject(),
                }), 4)).Append("\n\n");
            chat[first] = ChatTurn.User(block + chat[first].Content.Trim());
        }
        return ChatTemplates.Render(family, chat, addGenerationPrompt: true, bosText, eosText);
    }

    public override GrammarNode CallGrammar(IReadOnlyList<ToolDefinition> tools, bool parallel, JsonGrammarLimits? limits = null) => CallObject(tools, limits);

    public override IReadOnlyList<ParsedToolCall>? ParseCalls(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith("<|python_tag|>", StringComparison.Ordinal)) trimmed = trimmed["<|python_tag|>".Length..].Trim();
        if (!trimmed.StartsWith('{') || TryParse(trimmed) is not { } json || ReadCall(json) is not { } call) return null;
        return [call];
    }
}
