using System.Text.Json;
using CoKv.Chat;
using CoKv.Generation.Constraints;
using Microsoft.Extensions.AI;

namespace CoKv.SemanticKernel.Tools;

/// <summary>Microsoft.Extensions.AI messages as turns with their tool calls and results kept apart.</summary>
static class ToolMessageMapping
{
    public static IReadOnlyList<ToolTurn> ToTurns(IReadOnlyList<ChatMessage> messages, string? instructions)
    {
        var turns = new List<ToolTurn>(messages.Count + 1);
        foreach (var message in messages)
        {
            var role = message.Role == ChatRole.Assistant ? ChatRoles.Assistant
                : message.Role == ChatRole.Tool ? ChatRoles.Tool
                : message.Role == ChatRole.User ? ChatRoles.User
                : ChatRoles.System;
            var text = string.Concat(message.Contents.OfType<TextContent>().Select(t => t.Text));
            var results = message.Contents.OfType<FunctionResultContent>().ToList();
            if (results.Count > 0)
            {
                foreach (var r in results) turns.Add(new ToolTurn(ChatRoles.Tool, ResultText(r.Result), [], r.CallId));
                continue;
            }
            var calls = message.Contents.OfType<FunctionCallContent>()
                .Select(c => new ParsedToolCall(c.Name, JsonSerializer.SerializeToElement(c.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions), c.CallId))
                .ToList();
            turns.Add(new ToolTurn(role, text, calls));
        }
        if (instructions is not null)
        {
            // Instructions open the system message (one system message: templates differ on how they write several).
            if (turns.Count > 0 && turns[0].Role == ChatRoles.System) turns[0] = turns[0] with { Text = instructions + "\n\n" + turns[0].Text };
            else turns.Insert(0, new ToolTurn(ChatRoles.System, instructions, []));
        }
        if (turns.Count == 0) throw new ArgumentException("The conversation has no messages.", nameof(messages));
        return turns;
    }

    /// <summary>A result as the templates write it: text as is, anything else as JSON.</summary>
    public static string ResultText(object? result) => result switch
    {
        null => "",
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString()!,
        JsonElement e => JsonText.Compact(e),
        var other => JsonText.Compact(JsonSerializer.SerializeToElement(other, AIJsonUtilities.DefaultOptions)),
    };
}
