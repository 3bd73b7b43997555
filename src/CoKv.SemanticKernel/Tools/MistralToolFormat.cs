using System.Security.Cryptography;
using System.Text;
using CoKv.Chat;
using CoKv.Generation.Constraints;

namespace CoKv.SemanticKernel.Tools;

/// <summary>
/// Mistral v0.3 (Mistral-7B-Instruct-v0.3, Mistral-Nemo): "[AVAILABLE_TOOLS] [...][/AVAILABLE_TOOLS]" before the last
/// user message, calls as "[TOOL_CALLS] [{"name": ..., "arguments": ..., "id": ...}]" + EOS, results as
/// "[TOOL_RESULTS] {"content": ..., "call_id": ...}[/TOOL_RESULTS]", user turns as "[INST] ...[/INST]". As the v0.3
/// template writes them, with one change: the system message goes into the last user message even when tool
/// results follow it (the template would then drop it). Call ids are the 9 letters and digits the template requires.
/// </summary>
public sealed class MistralToolFormat : ToolFormat
{
    public override string Name => "mistral";
    public override bool SupportsParallelCalls => true;
    public override string CallOpener => "[TOOL_CALLS]";

    public override string Render(IReadOnlyList<ToolTurn> turns, IReadOnlyList<ToolDefinition>? tools, ChatTemplateFamily family, string? bosText, string? eosText)
    {
        var eos = eosText ?? "</s>";
        var systems = turns.Where(t => t.Role == ChatRoles.System).Select(t => t.Text).ToList();
        string? system = systems.Count == 0 ? null : string.Join("\n\n", systems);
        var rest = turns.Where(t => t.Role != ChatRoles.System).ToList();
        int lastUser = rest.FindLastIndex(t => t.Role == ChatRoles.User);
        var sb = new StringBuilder(bosText);
        for (int i = 0; i < rest.Count; i++)
        {
            var turn = rest[i];
            switch (turn.Role)
            {
                case ChatRoles.User:
                    if (tools is { Count: > 0 } && i == lastUser)
                        sb.Append("[AVAILABLE_TOOLS] [").Append(string.Join(", ", tools.Select(t => t.ToolJson()))).Append("][/AVAILABLE_TOOLS]");
                    sb.Append("[INST] ");
                    if (i == lastUser && system is not null) sb.Append(system).Append("\n\n");
                    sb.Append(turn.Text).Append("[/INST]");
                    break;
                case ChatRoles.Assistant when turn.Calls.Count > 0:
                    sb.Append("[TOOL_CALLS] [")
                      .Append(string.Join(", ", turn.Calls.Select(c => CallJson(c)[..^1] + ", \"id\": " + JsonText.Quote(CallId(c.CallId)) + "}")))
                      .Append(']').Append(eos);
                    break;
                case ChatRoles.Assistant:
                    sb.Append(' ').Append(turn.Text.Trim()).Append(eos);
                    break;
                default:
                    // The template writes content|string: a JSON result as JSON, a text result as its bare text.
                    sb.Append("[TOOL_RESULTS] {\"content\": ").Append(turn.Text).Append(", \"call_id\": ")
                      .Append(JsonText.Quote(CallId(turn.ResultCallId))).Append("}[/TOOL_RESULTS]");
                    break;
            }
        }
        if (lastUser < 0 && system is not null) sb.Append("[INST] ").Append(system).Append("[/INST]");
        return sb.ToString();
    }

    /// <summary>The id as Mistral requires it (9 letters or digits): kept when it already is one, else derived from it
    /// (the same for the call and its result).</summary>
    public static string CallId(string? id)
    {
        if (id is { Length: 9 } && id.All(char.IsAsciiLetterOrDigit)) return id;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(id ?? ""));
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        return new string(hash.Take(9).Select(b => alphabet[b % alphabet.Length]).ToArray());
    }

    public override GrammarNode CallGrammar(IReadOnlyList<ToolDefinition> tools, bool parallel, JsonGrammarLimits? limits = null) =>
        GrammarNode.Sequence(GrammarNode.Literal("[TOOL_CALLS] ["), new RepeatNode(CallObject(tools, limits), 1, parallel ? 8 : 1, "", ", ", ""), GrammarNode.Literal("]"));

    public override IReadOnlyList<ParsedToolCall>? ParseCalls(string text)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith(CallOpener, StringComparison.Ordinal)) return null;
        if (TryParse(trimmed[CallOpener.Length..]) is not { ValueKind: System.Text.Json.JsonValueKind.Array } array) return null;
        var calls = new List<ParsedToolCall>();
        foreach (var item in array.EnumerateArray())
        {
            if (ReadCall(item) is not { } call) return null;
            calls.Add(call);
        }
        return calls.Count > 0 ? calls : null;
    }
}
