using System.Text;
using System.Text.Json;
using CoKv.Chat;
using Microsoft.Extensions.AI;

namespace CoKv.SemanticKernel.Chat;

/// <summary>Microsoft.Extensions.AI messages as the chat template's turns.</summary>
static class ChatMessageMapping
{
    public static IReadOnlyList<ChatTurn> ToTurns(IReadOnlyList<ChatMessage> messages)
    {
        var turns = new List<ChatTurn>(messages.Count);
        foreach (var message in messages)
        {
            var role = message.Role == ChatRole.System ? ChatRoles.System
                : message.Role == ChatRole.Assistant ? ChatRoles.Assistant
                : message.Role == ChatRole.Tool ? ChatRoles.Tool
                : message.Role == ChatRole.User ? ChatRoles.User
                // "developer" and other instruction roles carry what a system prompt carries.
                : ChatRoles.System;
            turns.Add(new ChatTurn(role, ContentText(message)));
        }
        if (turns.Count == 0) throw new ArgumentException("The conversation has no messages.", nameof(messages));
        return turns;
    }

    /// <summary>The message's text; a tool result's value is written as text (JSON for structured values).</summary>
    static string ContentText(ChatMessage message)
    {
        var sb = new StringBuilder();
        foreach (var content in message.Contents)
            switch (content)
            {
                case TextContent text:
                    sb.Append(text.Text);
                    break;
                case FunctionResultContent result:
                    sb.Append(result.Result switch
                    {
                        null => "",
                        string s => s,
                        JsonElement e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText(),
                        var other => JsonSerializer.Serialize(other),
                    });
                    break;
            }
        return sb.ToString();
    }
}
