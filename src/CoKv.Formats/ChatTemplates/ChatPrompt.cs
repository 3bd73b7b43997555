using CoKv.Tokenization;

namespace CoKv.Chat;

/// <summary>
/// A conversation as the prompt text a model's tokenizer encodes, BOS placed as the model wants it: the one rendering
/// used by <c>LocalModel.EncodeChat</c>, the llama.cpp engine and the connector's <c>ConversationPrompts</c>.
/// </summary>
public static class ChatPrompt
{
    /// <param name="addBos">Whether encoding the text should add BOS (false when the template has written it).</param>
    public static string Render(ITokenizer tokenizer, ChatTemplateFamily family, IReadOnlyList<ChatTurn> turns, bool addGenerationPrompt, out bool addBos)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(turns);
        // Llama 2 writes BOS before every user turn, so the template writes them all; otherwise the tokenizer adds
        // BOS once, only where the model uses one.
        if (family == ChatTemplateFamily.Llama2 && tokenizer.BosId is { } bos && tokenizer.TokenText(bos) is { } bosText)
        {
            addBos = false;
            return ChatTemplates.Render(family, turns, addGenerationPrompt, bosText);
        }
        addBos = true;
        var eosText = tokenizer.EosId is { } eos ? tokenizer.TokenText(eos) : null;
        return ChatTemplates.Render(family, turns, addGenerationPrompt, null, eosText);
    }

    /// <summary>The conversation rendered by <see cref="Render"/> and tokenized (special tokens parsed).</summary>
    public static IReadOnlyList<int> Encode(ITokenizer tokenizer, ChatTemplateFamily family, IReadOnlyList<ChatTurn> turns, bool addGenerationPrompt)
    {
        var text = Render(tokenizer, family, turns, addGenerationPrompt, out var addBos);
        return tokenizer.Encode(text, addBos, parseSpecial: true);
    }
}
