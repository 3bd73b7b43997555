using System.Text;
using System.Text.RegularExpressions;
using CoKv.Chat;
using CoKv.Generation.Constraints;

namespace CoKv.SemanticKernel.Tools;

/// <summary>
/// Qwen2 / 2.5 / 3 and Hermes (ChatML): the tools as JSON lines in &lt;tools&gt; inside the system message, each call
/// as &lt;tool_call&gt;\n{"name": ..., "arguments": ...}\n&lt;/tool_call&gt; (several may follow one another), results
/// in &lt;tool_response&gt; in a user turn. Written as Qwen2.5's template writes them, except that no default system
/// prompt is inserted (as for ChatML without tools).
/// </summary>
public sealed partial class HermesToolFormat : ToolFormat
{
    public override string Name => "hermes";
    public override bool SupportsParallelCalls => true;
    public override string CallOpener => "<tool_call>";

    public const string ToolsPreamble = "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n" +
        "You are provided with function signatures within <tools></tools> XML tags:\n<tools>";
    public const string ToolsPostamble = "\n</tools>\n\nFor each function call, return a json object with function name and arguments " +
        "within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>";

    public override string Render(IReadOnlyList<ToolTurn> turns, IReadOnlyList<ToolDefinition>? tools, ChatTemplateFamily family, string? bosText, string? eosText)
    {
        var chat = new List<ChatTurn>();
        foreach (var turn in turns)
        {
            if (turn.Role == ChatRoles.Assistant && turn.Calls.Count > 0)
            {
                var calls = string.Join("\n", turn.Calls.Select(c => "<tool_call>\n" + CallJson(c) + "\n</tool_call>"));
                chat.Add(ChatTurn.Assistant(turn.Text.Length > 0 ? turn.Text + "\n" + calls : calls));
            }
            else chat.Add(new ChatTurn(turn.Role, turn.Text));
        }
        if (tools is { Count: > 0 })
        {
            var block = new StringBuilder(ToolsPreamble);
            foreach (var tool in tools) block.Append('\n').Append(tool.ToolJson());
            block.Append(ToolsPostamble);
            if (chat.Count > 0 && chat[0].Role == ChatRoles.System) chat[0] = ChatTurn.System(chat[0].Content + "\n\n" + block);
            else chat.Insert(0, ChatTurn.System(block.ToString()));
        }
        return ChatTemplates.Render(family, chat, addGenerationPrompt: true, bosText, eosText);
    }

    public override GrammarNode CallGrammar(IReadOnlyList<ToolDefinition> tools, bool parallel, JsonGrammarLimits? limits = null)
    {
        var call = GrammarNode.Sequence(GrammarNode.Literal("<tool_call>\n"), CallObject(tools, limits), GrammarNode.Literal("\n</tool_call>"));
        return new RepeatNode(call, 1, parallel ? 8 : 1, "", "\n", "");
    }

    [GeneratedRegex(@"<tool_call>\s*(.*?)\s*</tool_call>", RegexOptions.Singleline)]
    private static partial Regex Block();

    public override IReadOnlyList<ParsedToolCall>? ParseCalls(string text)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith(CallOpener, StringComparison.Ordinal)) return null;
        var calls = new List<ParsedToolCall>();
        int end = 0;
        foreach (Match m in Block().Matches(trimmed))
        {
            if (!string.IsNullOrWhiteSpace(trimmed[end..m.Index])) return null;
            if (TryParse(m.Groups[1].Value) is not { } json || ReadCall(json) is not { } call) return null;
            calls.Add(call);
            end = m.Index + m.Length;
        }
        return calls.Count > 0 && string.IsNullOrWhiteSpace(trimmed[end..]) ? calls : null;
    }
}
