using CoKv.Chat;
using CoKv.Generation.Constraints;

namespace CoKv.SemanticKernel.Tools;

/// <summary>
/// The project's own convention, for the default model's Compact template and for families with no tool format of
/// their own (Plain, Llama 2, Zephyr). The system text gains "You can call these functions: {function}; {function}.
/// To call one, answer: [call] {"name": "...", "arguments": {...}}"; a call is the assistant answer
/// "[call] {"name": ..., "arguments": ...}" (one per answer); a result is a tool turn "[result] TEXT" (the Compact
/// template writes it as a user turn). Plain text with no special tokens, so every vocabulary can spell it.
/// </summary>
public sealed class CompactToolFormat : ToolFormat
{
    public override string Name => "compact";
    public override bool SupportsParallelCalls => false;
    public override string CallOpener => "[call]";

    public const string ToolsPreamble = "You can call these functions: ";
    public const string CallInstruction = ". To call one, answer: [call] {\"name\": \"<function name>\", \"arguments\": {<arguments>}}";

    public override string Render(IReadOnlyList<ToolTurn> turns, IReadOnlyList<ToolDefinition>? tools, ChatTemplateFamily family, string? bosText, string? eosText)
    {
        var chat = new List<ChatTurn>();
        foreach (var turn in turns)
        {
            if (turn.Role == ChatRoles.Assistant && turn.Calls.Count > 0)
                chat.Add(ChatTurn.Assistant(string.Join(" ", turn.Calls.Select(c => "[call] " + CallJson(c)))));
            else if (turn.Role == ChatRoles.Tool) chat.Add(ChatTurn.Tool("[result] " + turn.Text));
            else chat.Add(new ChatTurn(turn.Role, turn.Text));
        }
        if (tools is { Count: > 0 })
        {
            var block = ToolsPreamble + string.Join("; ", tools.Select(t => JsonText.Compact(System.Text.Json.JsonSerializer.SerializeToElement(t.FunctionObject())))) + CallInstruction;
            if (chat.Count > 0 && chat[0].Role == ChatRoles.System) chat[0] = ChatTurn.System(chat[0].Content + " " + block);
            else chat.Insert(0, ChatTurn.System(block));
        }
        return ChatTemplates.Render(family, chat, addGenerationPrompt: true, bosText, eosText);
    }

    public override GrammarNode CallGrammar(IReadOnlyList<ToolDefinition> tools, bool parallel, JsonGrammarLimits? limits = null) =>
        // SentencePiece vocabularies spell a word after a special token with a leading space; either start is fine.
        GrammarNode.Sequence(GrammarNode.Choice(GrammarNode.Literal(" "), GrammarNode.Literal("")), GrammarNode.Literal("[call] "), CallObject(tools, limits));

    public override IReadOnlyList<ParsedToolCall>? ParseCalls(string text)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith(CallOpener, StringComparison.Ordinal)) return null;
        if (TryParse(trimmed[CallOpener.Length..].Trim()) is not { } json || ReadCall(json) is not { } call) return null;
        return [call];
    }
}
