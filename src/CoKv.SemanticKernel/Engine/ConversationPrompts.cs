using CoKv.Chat;
using CoKv.Generation;

namespace CoKv.SemanticKernel.Engine;

/// <summary>
/// Turns a conversation into prompt tokens so that a follow-up turn extends, token for token, what the engine holds
/// cached from the previous turn. Re-encoding the rendered history is not enough: the model's own answer may be
/// tokenized differently from how the tokenizer would split its text, and the engine reuses a cache only when the
/// new prompt starts with exactly the tokens it holds. So the last exchange of each conversation is remembered
/// (rendered prompt, prompt and answer tokens), and a prompt that continues it is spliced as those tokens followed by
/// the encoding of the new text. Anything else is encoded from scratch (and the engine prefills it in full).
/// </summary>
public sealed class ConversationPrompts
{
    sealed record Exchange(string RenderedPrompt, int[] Tokens, string Answer);

    readonly int _capacity;
    readonly LinkedList<(string Key, Exchange Exchange)> _recent = new();
    readonly object _gate = new();

    public ConversationPrompts(int capacity) => _capacity = Math.Max(0, capacity);

    /// <summary>A prompt: the rendered text (kept for the next turn) and its tokens.</summary>
    public sealed record Prompt(string Text, IReadOnlyList<int> Tokens, bool Spliced);

    public Prompt Build(LocalModel model, ChatTemplateFamily family, IReadOnlyList<ChatTurn> turns, string? sessionKey)
    {
        var text = ChatPrompt.Render(model.Tokenizer, family, turns, addGenerationPrompt: true, out var addBos);
        return Build(model, text, addBos, sessionKey);
    }

    /// <summary>A prompt rendered elsewhere (tool conventions), spliced onto the conversation's cached turn where it can be.</summary>
    public Prompt Build(LocalModel model, string text, bool addBos, string? sessionKey)
    {
        var canonical = model.Tokenizer.Encode(text, addBos, parseSpecial: true);
        if (sessionKey is null || Find(sessionKey) is not { } last || !text.StartsWith(last.RenderedPrompt, StringComparison.Ordinal))
            return new Prompt(text, canonical, false);
        // The engine keeps the previous prompt and answer, except perhaps the answer's last token (not yet run).
        var held = last.Tokens.Length - 1;
        if (canonical.Count > held && canonical.Take(held).SequenceEqual(last.Tokens.Take(held)))
            return new Prompt(text, canonical, false);

        var rest = text[last.RenderedPrompt.Length..];
        var answer = last.Answer.Trim();
        var at = answer.Length == 0 ? 0 : rest.IndexOf(answer, StringComparison.Ordinal);
        if (at < 0 || !string.IsNullOrWhiteSpace(rest[..at])) return new Prompt(text, canonical, false);
        var tail = rest[(at + answer.Length)..];
        if (tail.Length == 0) return new Prompt(text, canonical, false);
        var tokens = new List<int>(last.Tokens);
        tokens.AddRange(model.Tokenizer.Encode(tail, addBos: false, parseSpecial: true));
        return new Prompt(text, tokens, true);
    }

    /// <summary>Remembers a finished turn so that the next one can extend it.</summary>
    public void Remember(LocalModel model, string sessionKey, Prompt prompt, GenerationResult result)
    {
        if (_capacity == 0) return;
        // A stop string ends the text before the tokens that spelled it: those tokens are in the engine's cache but
        // not in the conversation, so this turn cannot be extended token for token.
        if (!string.Equals(model.Tokenizer.Decode(result.Tokens).Trim(), result.Text.Trim(), StringComparison.Ordinal))
        {
            Forget(sessionKey);
            return;
        }
        var exchange = new Exchange(prompt.Text, prompt.Tokens.Concat(result.Tokens).ToArray(), result.Text);
        lock (_gate)
        {
            RemoveLocked(sessionKey);
            _recent.AddFirst((sessionKey, exchange));
            while (_recent.Count > _capacity) _recent.RemoveLast();
        }
    }

    public void Forget(string sessionKey)
    {
        lock (_gate) RemoveLocked(sessionKey);
    }

    Exchange? Find(string key)
    {
        lock (_gate)
            foreach (var (k, e) in _recent)
                if (k == key) return e;
        return null;
    }

    void RemoveLocked(string key)
    {
        for (var node = _recent.First; node != null; node = node.Next)
            if (node.Value.Key == key)
            {
                _recent.Remove(node);
                return;
            }
    }
}
