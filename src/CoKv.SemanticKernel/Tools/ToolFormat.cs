using System.Text.Json;
using CoKv.Chat;
using CoKv.Generation.Constraints;

namespace CoKv.SemanticKernel.Tools;

/// <summary>One conversation turn with its tool calls or tool result kept apart from its text, before a family's
/// convention writes them in.</summary>
public sealed record ToolTurn(string Role, string Text, IReadOnlyList<ParsedToolCall> Calls, string? ResultCallId = null);

/// <summary>
/// How a model family writes tool definitions, calls and results into its prompt, and how its calls are read back:
/// Hermes / Qwen (ChatML), Llama 3.1 / 3.2, Mistral v0.3, and the project's own convention for the Compact template
/// and the families that have none (see <see cref="CompactToolFormat"/>).
/// </summary>
public abstract class ToolFormat
{
    public static ToolFormat For(ChatTemplateFamily family) => family switch
    {
        ChatTemplateFamily.ChatML => new HermesToolFormat(),
        ChatTemplateFamily.Llama3 => new Llama3ToolFormat(),
        ChatTemplateFamily.Mistral => new MistralToolFormat(),
        _ => new CompactToolFormat(),
    };

    public abstract string Name { get; }
    /// <summary>Whether one answer may hold several calls.</summary>
    public abstract bool SupportsParallelCalls { get; }
    /// <summary>Text a call starts with: in auto mode, output that starts so is read (and, from there, constrained) as calls.</summary>
    public abstract string CallOpener { get; }
    /// <summary>The key holding the arguments in a call object ("arguments"; Llama 3.1 writes "parameters").</summary>
    protected virtual string ArgumentsKey => "arguments";

    /// <summary>The prompt as the family's template writes it with tools (null tools: none offered).</summary>
    public abstract string Render(IReadOnlyList<ToolTurn> turns, IReadOnlyList<ToolDefinition>? tools, ChatTemplateFamily family, string? bosText, string? eosText);

    /// <summary>The grammar of an answer that is only calls (one, or several where the family allows), among
    /// <paramref name="tools"/>.</summary>
    public abstract GrammarNode CallGrammar(IReadOnlyList<ToolDefinition> tools, bool parallel, JsonGrammarLimits? limits = null);

    /// <summary>The calls an answer holds, or null when it is not a well-formed call answer.</summary>
    public abstract IReadOnlyList<ParsedToolCall>? ParseCalls(string text);

    /// <summary>{"name": "X", "arguments": ARGS} for each tool, as the grammar of one call object.</summary>
    protected GrammarNode CallObject(IReadOnlyList<ToolDefinition> tools, JsonGrammarLimits? limits) =>
        GrammarNode.Choice(tools.Select(t => GrammarNode.Sequence(
            GrammarNode.Literal("{\"name\": " + JsonText.Quote(t.Name) + ", " + JsonText.Quote(ArgumentsKey) + ": "),
            JsonSchemaGrammar.FromSchema(t.Parameters, limits),
            GrammarNode.Literal("}"))).ToArray());

    /// <summary>{"name": "X", "arguments": {...}} as the family writes a call.</summary>
    protected string CallJson(ParsedToolCall call) =>
        "{\"name\": " + JsonText.Quote(call.Name) + ", " + JsonText.Quote(ArgumentsKey) + ": " + JsonText.Compact(call.Arguments) + "}";

    /// <summary>A call object read from JSON text, or null.</summary>
    protected ParsedToolCall? ReadCall(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String) return null;
        JsonElement args = default;
        var found = e.TryGetProperty(ArgumentsKey, out args) || e.TryGetProperty("arguments", out args) || e.TryGetProperty("parameters", out args);
        if (!found) args = JsonDocument.Parse("{}").RootElement;
        if (args.ValueKind == JsonValueKind.String)
        {
            // Some models write the arguments as a JSON string.
            try { args = JsonDocument.Parse(args.GetString()!).RootElement; }
            catch (JsonException) { return null; }
        }
        string? id = e.TryGetProperty("id", out var idValue) && idValue.ValueKind == JsonValueKind.String ? idValue.GetString() : null;
        return new ParsedToolCall(name.GetString()!, args.Clone(), id);
    }

    protected static JsonElement? TryParse(string text)
    {
        try { return JsonDocument.Parse(text).RootElement.Clone(); }
        catch (JsonException) { return null; }
    }

    protected static List<ChatTurn> Plain(IEnumerable<ToolTurn> turns) => turns.Select(t => new ChatTurn(t.Role, t.Text)).ToList();
}
