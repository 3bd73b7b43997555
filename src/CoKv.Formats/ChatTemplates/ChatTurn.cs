// Namespace CoKv.Chat, not CoKv.ChatTemplates: a namespace named like the ChatTemplates class would hide it in CoKv.* code.
namespace CoKv.Chat;

/// <summary>One message of a conversation. Role is "system", "user", "assistant" or "tool".</summary>
public sealed record ChatTurn(string Role, string Content)
{
    public static ChatTurn System(string content) => new(ChatRoles.System, content);
    public static ChatTurn User(string content) => new(ChatRoles.User, content);
    public static ChatTurn Assistant(string content) => new(ChatRoles.Assistant, content);
    public static ChatTurn Tool(string content) => new(ChatRoles.Tool, content);
}

public static class ChatRoles
{
    public const string System = "system";
    public const string User = "user";
    public const string Assistant = "assistant";
    public const string Tool = "tool";
}

/// <summary>The prompt formats this library writes (there is no Jinja engine here: templates are recognised, then
/// rendered in C#).</summary>
public enum ChatTemplateFamily
{
    /// <summary>No recognised template: "User: ...\nAssistant: ..." lines.</summary>
    Plain,
    /// <summary>Llama 3 / 3.1 / 3.2: &lt;|start_header_id|&gt;role&lt;|end_header_id|&gt;\n\n...&lt;|eot_id|&gt;</summary>
    Llama3,
    /// <summary>ChatML (Qwen, SmolLM2): &lt;|im_start|&gt;role\n...&lt;|im_end|&gt;\n</summary>
    ChatML,
    /// <summary>Mistral Instruct: [INST] ... [/INST] answer&lt;/s&gt;</summary>
    Mistral,
    /// <summary>Llama 2 chat: [INST] &lt;&lt;SYS&gt;&gt;\n...\n&lt;&lt;/SYS&gt;&gt;\n\n... [/INST]</summary>
    Llama2,
    /// <summary>The project's own default model: &lt;|user|&gt;...&lt;|assistant|&gt;answer&lt;|end|&gt;, no newlines, so that
    /// every word stays one vocabulary piece.</summary>
    Compact,
    /// <summary>Zephyr (TinyLlama-1.1B-Chat, zephyr-7b): &lt;|role|&gt;\n...&lt;/s&gt;\n, then &lt;|assistant|&gt;\n</summary>
    Zephyr,
}
