using System.Text;
using CoKv.Tokenization;

namespace CoKv.Generation.Constraints;

/// <summary>
/// Free text until the output (after leading white space) starts with <paramref name="trigger"/>, then the grammar for
/// the whole output from that point: how a model that may answer in text or call a tool gets a well-formed call once
/// it has chosen to call. If the text so far already breaks the grammar when the trigger appears, it stays free.
/// </summary>
public sealed class TriggeredConstraint(string trigger, GrammarNode grammar, ITokenizer tokenizer) : ITokenConstraint
{
    readonly TokenVocabulary _vocabulary = TokenVocabulary.For(tokenizer);
    readonly List<byte> _text = new();
    GrammarConstraint? _active;
    bool _free;

    public bool IsComplete => _active?.IsComplete ?? true;

    /// <summary>Whether the trigger appeared and the grammar took over.</summary>
    public bool Triggered => _active is not null;

    public void FillMask(bool[] allowed, int tokensLeft = int.MaxValue)
    {
        if (_active is not null)
        {
            _active.FillMask(allowed, tokensLeft);
            return;
        }
        Array.Fill(allowed, true);
    }

    public void Advance(int token)
    {
        if (_active is not null)
        {
            _active.Advance(token);
            return;
        }
        if (_free) return;
        var bytes = _vocabulary.Bytes(token);
        if (bytes.Length == 0) bytes = tokenizer.TokenBytes(token, renderSpecial: true);
        _text.AddRange(bytes.ToArray());
        var text = Encoding.UTF8.GetString(_text.ToArray()).TrimStart();
        if (text.Length < trigger.Length)
        {
            if (!trigger.StartsWith(text, StringComparison.Ordinal)) _free = true;
            return;
        }
        if (!text.StartsWith(trigger, StringComparison.Ordinal))
        {
            _free = true;
            return;
        }
        var constraint = new GrammarConstraint(grammar, tokenizer);
        if (constraint.TryFeed(Encoding.UTF8.GetBytes(text))) _active = constraint;
        else _free = true;
    }
}
