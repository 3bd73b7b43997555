using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;

namespace CoKv.SemanticKernel.Chat;

/// <summary>
/// Which conversation a request continues, so the engine can reuse its cache. ChatOptions.ConversationId when the
/// caller has one; otherwise a hash of the messages up to the first user message, which stay the same as a
/// conversation grows (a Semantic Kernel ChatHistory has no id).
/// </summary>
static class SessionKeys
{
    public static string For(IReadOnlyList<ChatMessage> messages, string? conversationId)
    {
        if (!string.IsNullOrEmpty(conversationId)) return "id:" + conversationId;
        var sb = new StringBuilder();
        foreach (var message in messages)
        {
            sb.Append(message.Role.Value).Append('\u001f').Append(message.Text).Append('\u001e');
            if (message.Role == ChatRole.User) break;
        }
        return "h:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())), 0, 12);
    }
}
