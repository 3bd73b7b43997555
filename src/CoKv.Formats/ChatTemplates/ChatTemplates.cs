using System.Text;

// Namespace CoKv.Chat, not CoKv.ChatTemplates: a namespace named like the ChatTemplates class would hide it in CoKv.* code.
namespace CoKv.Chat;

/// <summary>
/// Recognises a model's chat template by its markers and renders conversations exactly as the official templates of
/// those model families do (checked against their Jinja sources by hand: see the tests for the strings).
/// </summary>
public static class ChatTemplates
{
    /// <summary>The family of a Jinja chat template (GGUF tokenizer.chat_template, tokenizer_config.json chat_template).</summary>
    public static ChatTemplateFamily Detect(string? jinjaTemplateText)
    {
        if (string.IsNullOrWhiteSpace(jinjaTemplateText)) return ChatTemplateFamily.Plain;
        var t = jinjaTemplateText;
        if (t.Contains(CompactMarker, StringComparison.Ordinal)) return ChatTemplateFamily.Compact;
        if (t.Contains("<|start_header_id|>", StringComparison.Ordinal)) return ChatTemplateFamily.Llama3;
        if (t.Contains("<|im_start|>", StringComparison.Ordinal)) return ChatTemplateFamily.ChatML;
        if (t.Contains("[INST]", StringComparison.Ordinal))
            return t.Contains("<<SYS>>", StringComparison.Ordinal) ? ChatTemplateFamily.Llama2 : ChatTemplateFamily.Mistral;
        // Phi-3 shares the <|user|> / <|assistant|> markers but ends turns with <|end|>, not EOS: not Zephyr.
        if (t.Contains("<|user|>", StringComparison.Ordinal) && t.Contains("<|assistant|>", StringComparison.Ordinal)
            && !t.Contains("<|end|>", StringComparison.Ordinal)
            && (t.Contains("eos_token", StringComparison.Ordinal) || t.Contains("</s>", StringComparison.Ordinal)))
            return ChatTemplateFamily.Zephyr;
        return ChatTemplateFamily.Plain;
    }

    /// <summary>
    /// Renders the conversation as prompt text, special tokens as their text (encode it with parseSpecial).
    /// </summary>
    /// <param name="bosText">BOS as text ("&lt;|begin_of_text|&gt;", "&lt;s&gt;"), written where the template writes
    /// bos_token; null writes none (then let the tokenizer add BOS, not both).</param>
    /// <param name="eosText">EOS as text, written after assistant turns by the Mistral and Llama 2 templates; null
    /// means "&lt;/s&gt;", those models' EOS.</param>
    public static string Render(ChatTemplateFamily family, IReadOnlyList<ChatTurn> turns, bool addGenerationPrompt, string? bosText, string? eosText = null)
    {
        ArgumentNullException.ThrowIfNull(turns);
        foreach (var turn in turns)
            if (turn.Role is not (ChatRoles.System or ChatRoles.User or ChatRoles.Assistant or ChatRoles.Tool))
                throw new ArgumentException($"Unknown chat role '{turn.Role}' (system, user, assistant, tool).", nameof(turns));
        return family switch
        {
            ChatTemplateFamily.Llama3 => RenderLlama3(turns, addGenerationPrompt, bosText),
            ChatTemplateFamily.ChatML => RenderChatML(turns, addGenerationPrompt, bosText),
            ChatTemplateFamily.Mistral => RenderMistral(turns, bosText, eosText ?? "</s>"),
            ChatTemplateFamily.Llama2 => RenderLlama2(turns, bosText, eosText ?? "</s>"),
            ChatTemplateFamily.Compact => RenderCompact(turns, addGenerationPrompt, bosText),
            ChatTemplateFamily.Zephyr => RenderZephyr(turns, addGenerationPrompt, bosText, eosText ?? "</s>"),
            _ => RenderPlain(turns, addGenerationPrompt, bosText),
        };
    }

    /// <summary>The comment that marks the Compact template in a model's metadata.</summary>
    public const string CompactMarker = "{# cokv-compact #}";

    /// <summary>The Jinja text of the Compact template, as written into the default model's GGUF.</summary>
    public const string CompactJinja = CompactMarker +
        "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'assistant' %}<|assistant|>{{ m['content'] | trim }}<|end|>" +
        "{% elif m['role'] == 'system' %}{{ m['content'] | trim }} {% else %}<|user|>{{ m['content'] | trim }}{% endif %}{% endfor %}" +
        "{% if add_generation_prompt %}<|assistant|>{% endif %}";

    static string RenderCompact(IReadOnlyList<ChatTurn> turns, bool addGenerationPrompt, string? bos)
    {
        // The vocabulary has no system or tool marker: system text opens the next user turn, a tool result is a user
        // turn of its own. No space follows a marker: the tokenizer adds one after a special token (SentencePiece's
        // space prefix), which is how the model saw its words in training.
        var sb = new StringBuilder(bos);
        string? pendingSystem = null;
        foreach (var turn in turns)
        {
            var content = turn.Content.Trim();
            switch (turn.Role)
            {
                case ChatRoles.System:
                    pendingSystem = pendingSystem is null ? content : pendingSystem + " " + content;
                    break;
                case ChatRoles.Assistant:
                    sb.Append("<|assistant|>").Append(content).Append("<|end|>");
                    break;
                default:
                    sb.Append("<|user|>");
                    if (pendingSystem != null) sb.Append(pendingSystem).Append(' ');
                    pendingSystem = null;
                    sb.Append(content);
                    break;
            }
        }
        if (pendingSystem != null) sb.Append("<|user|>").Append(pendingSystem);
        if (addGenerationPrompt) sb.Append("<|assistant|>");
        return sb.ToString();
    }

    static string RenderLlama3(IReadOnlyList<ChatTurn> turns, bool addGenerationPrompt, string? bos)
    {
        var sb = new StringBuilder(bos);
        foreach (var turn in turns)
        {
            // Llama 3.1's template names tool results "ipython" (the role its tool-calling format trains on).
            var role = turn.Role == ChatRoles.Tool ? "ipython" : turn.Role;
            sb.Append("<|start_header_id|>").Append(role).Append("<|end_header_id|>\n\n")
              .Append(turn.Content.Trim()).Append("<|eot_id|>");
        }
        if (addGenerationPrompt) sb.Append("<|start_header_id|>assistant<|end_header_id|>\n\n");
        return sb.ToString();
    }

    static string RenderChatML(IReadOnlyList<ChatTurn> turns, bool addGenerationPrompt, string? bos)
    {
        // No default system prompt: Qwen2.5's template inserts its own ("You are Qwen, ..."), other ChatML models
        // none; the caller passes the one it wants.
        var sb = new StringBuilder(bos);
        for (var i = 0; i < turns.Count; i++)
        {
            var turn = turns[i];
            if (turn.Role == ChatRoles.Tool)
            {
                // Qwen2.5's template: tool results go to the user, each in <tool_response>, consecutive ones in one turn.
                var first = i == 0 || turns[i - 1].Role != ChatRoles.Tool;
                var last = i + 1 == turns.Count || turns[i + 1].Role != ChatRoles.Tool;
                if (first) sb.Append("<|im_start|>user");
                sb.Append("\n<tool_response>\n").Append(turn.Content).Append("\n</tool_response>");
                if (last) sb.Append("<|im_end|>\n");
                continue;
            }
            sb.Append("<|im_start|>").Append(turn.Role).Append('\n').Append(turn.Content).Append("<|im_end|>\n");
        }
        if (addGenerationPrompt) sb.Append("<|im_start|>assistant\n");
        return sb.ToString();
    }

    static string RenderMistral(IReadOnlyList<ChatTurn> turns, string? bos, string eos)
    {
        // Mistral-7B-Instruct v0.2/v0.3 (text form): the system prompt opens the first user turn; the prompt always
        // ends with [/INST], so there is no separate generation prompt. Tool results become a user turn
        // ("Tool result: ..."): v0.3's [TOOL_RESULTS] needs its tool-call format and vocabulary, v0.1/v0.2 have none.
        var (system, rest) = SplitSystem(turns);
        var sb = new StringBuilder(bos);
        var systemPending = system;
        foreach (var turn in rest)
        {
            if (turn.Role == ChatRoles.Assistant)
            {
                sb.Append(' ').Append(turn.Content.Trim()).Append(eos);
                continue;
            }
            var content = turn.Role == ChatRoles.Tool ? "Tool result:\n" + turn.Content : turn.Content;
            if (systemPending != null)
            {
                content = systemPending + "\n\n" + content;
                systemPending = null;
            }
            sb.Append("[INST] ").Append(content).Append(" [/INST]");
        }
        if (systemPending != null) sb.Append("[INST] ").Append(systemPending).Append(" [/INST]");
        return sb.ToString();
    }

    static string RenderLlama2(IReadOnlyList<ChatTurn> turns, string? bos, string eos)
    {
        // Llama-2-chat: every user turn opens with BOS; the system prompt sits in <<SYS>> inside the first one.
        // Tool results, which Llama 2 was not trained on, become a user turn ("Tool result: ...").
        var (system, rest) = SplitSystem(turns);
        var sb = new StringBuilder();
        var systemPending = system;
        foreach (var turn in rest)
        {
            if (turn.Role == ChatRoles.Assistant)
            {
                sb.Append(' ').Append(turn.Content.Trim()).Append(' ').Append(eos);
                continue;
            }
            var content = turn.Role == ChatRoles.Tool ? "Tool result:\n" + turn.Content : turn.Content;
            if (systemPending != null)
            {
                content = "<<SYS>>\n" + systemPending + "\n<</SYS>>\n\n" + content;
                systemPending = null;
            }
            sb.Append(bos).Append("[INST] ").Append(content.Trim()).Append(" [/INST]");
        }
        if (systemPending != null) sb.Append(bos).Append("[INST] <<SYS>>\n").Append(systemPending).Append("\n<</SYS>>\n\n [/INST]");
        return sb.ToString();
    }

    static string RenderZephyr(IReadOnlyList<ChatTurn> turns, bool addGenerationPrompt, string? bos, string eos)
    {
        // TinyLlama-1.1B-Chat's template under Hugging Face's trim_blocks: each turn is "<|role|>\n" + content + EOS,
        // and the newline after each output expression survives. The template has no tool branch (it would drop the
        // turn): a tool result becomes a user turn, as for Mistral and Llama 2.
        var sb = new StringBuilder(bos);
        foreach (var turn in turns)
        {
            var (role, content) = turn.Role == ChatRoles.Tool ? (ChatRoles.User, "Tool result:\n" + turn.Content) : (turn.Role, turn.Content);
            sb.Append("<|").Append(role).Append("|>\n").Append(content).Append(eos).Append('\n');
        }
        if (addGenerationPrompt) sb.Append("<|assistant|>\n");
        return sb.ToString();
    }

    static string RenderPlain(IReadOnlyList<ChatTurn> turns, bool addGenerationPrompt, string? bos)
    {
        // For models with no chat template (base models such as stories260K): a transcript that a base model can
        // continue; the system text stands alone at the top.
        var sb = new StringBuilder(bos);
        foreach (var turn in turns)
        {
            var label = turn.Role switch
            {
                ChatRoles.System => null,
                ChatRoles.User => "User: ",
                ChatRoles.Assistant => "Assistant: ",
                _ => "Tool: ",
            };
            sb.Append(label).Append(turn.Content).Append(turn.Role == ChatRoles.System ? "\n\n" : "\n");
        }
        if (addGenerationPrompt) sb.Append("Assistant:");
        return sb.ToString();
    }

    /// <summary>All system messages joined (blank line between), and the other turns in order.</summary>
    static (string? System, List<ChatTurn> Others) SplitSystem(IReadOnlyList<ChatTurn> turns)
    {
        var system = turns.Where(t => t.Role == ChatRoles.System).Select(t => t.Content).ToList();
        return (system.Count == 0 ? null : string.Join("\n\n", system), turns.Where(t => t.Role != ChatRoles.System).ToList());
    }
}
