using CoKv.Tokenization;

namespace CoKv.Generation.Constraints;

/// <summary>
/// Constrained decoding by a <see cref="GrammarNode"/>: the mask for a step walks the vocabulary trie with copies of
/// the parse state, pruning a branch as soon as its bytes leave the grammar. Inside a JSON string every plain token
/// that fits is allowed without a walk (see <see cref="TokenVocabulary"/>), which is where long outputs spend their steps.
/// </summary>
public sealed class GrammarConstraint : ITokenConstraint
{
    readonly TokenVocabulary _vocabulary;
    GrammarState _state;

    public GrammarConstraint(GrammarNode grammar, ITokenizer tokenizer)
    {
        _vocabulary = TokenVocabulary.For(tokenizer);
        _state = GrammarState.Start(grammar);
    }

    public bool IsComplete => _state.CanEnd;

    /// <summary>The fewest bytes that complete the output from here.</summary>
    public int MinBytesToEnd => _state.MinBytesToEnd;

    /// <summary>How close to the token limit (beyond the fewest bytes still needed) the mask starts steering: from
    /// there on, a token is allowed only if the output can still end within the tokens left after it (a token writes
    /// at least one byte), so a constrained output is complete whenever the limit leaves room for it at all.</summary>
    public const int SteerWindow = 64;

    public void FillMask(bool[] allowed, int tokensLeft = int.MaxValue)
    {
        FillGrammarMask(allowed);
        if (tokensLeft == int.MaxValue) return;
        int need = _state.MinBytesToEnd;
        if (tokensLeft > need + SteerWindow) return;
        bool any = _state.PlainStringRoom >= 0 ? SteerInString(allowed, need, tokensLeft) : SteerAnywhere(allowed, tokensLeft);
        if (!any) FillGrammarMask(allowed);
    }

    bool SteerAnywhere(bool[] allowed, int tokensLeft)
    {
        bool any = false;
        for (int id = 0; id < allowed.Length; id++)
        {
            if (!allowed[id]) continue;
            var bytes = id < _vocabulary.Size ? _vocabulary.Bytes(id) : default;
            if (bytes.Length == 0 || _vocabulary.StopIds.Contains(id))
            {
                any = true;
                continue;
            }
            if ((_state.Step(bytes)?.MinBytesToEnd ?? int.MaxValue) > tokensLeft - 1) allowed[id] = false;
            else any = true;
        }
        return any;
    }

    /// <summary>Inside a string plain text leaves the bytes still needed as they were: only the tokens that stay in
    /// the string otherwise, and those that close it, need a look.</summary>
    bool SteerInString(bool[] allowed, int need, int tokensLeft)
    {
        bool any = false;
        if (need > tokensLeft - 1)
            foreach (var id in _vocabulary.PlainIds) allowed[id] = false;
        else
            foreach (var id in _vocabulary.PlainIds)
                if (allowed[id]) { any = true; break; }
        // A token that leaves an escape or a character open needs at most 5 more bytes inside the string.
        foreach (var (id, needed) in _vocabulary.InStringTokens)
        {
            if (!allowed[id]) continue;
            if (need + (needed > _vocabulary.Bytes(id).Length ? 5 : 0) > tokensLeft - 1) allowed[id] = false;
            else any = true;
        }
        var closed = _state.Step((byte)'"');
        foreach (var (id, _, after) in _vocabulary.ClosingTokens)
        {
            if (!allowed[id]) continue;
            var next = after.Length == 0 ? closed : closed?.Step(after);
            if ((next?.MinBytesToEnd ?? int.MaxValue) > tokensLeft - 1) allowed[id] = false;
            else any = true;
        }
        return any;
    }

    void FillGrammarMask(bool[] allowed)
    {
        if (allowed.Length < _vocabulary.Size) throw new ArgumentException($"The mask has {allowed.Length} entries for a vocabulary of {_vocabulary.Size}.", nameof(allowed));
        Array.Clear(allowed);
        int room = _state.PlainStringRoom;
        if (room >= 0)
        {
            var ids = _vocabulary.PlainIds;
            var lengths = _vocabulary.PlainLengths;
            for (int i = 0; i < ids.Length && lengths[i] <= room; i++) allowed[ids[i]] = true;
            foreach (var (id, needed) in _vocabulary.InStringTokens)
                if (needed <= room) allowed[id] = true;
            // Tokens that close the string: only what follows their quote needs the grammar.
            var closed = _state.Step((byte)'"');
            if (closed is not null)
                foreach (var (id, before, after) in _vocabulary.ClosingTokens)
                    if (before <= room && (after.Length == 0 ? true : closed.Step(after) is not null)) allowed[id] = true;
        }
        else Walk(_vocabulary.All, _state, allowed);
        foreach (var (id, bytes) in _vocabulary.ControlTokens)
            if (_state.LiteralStartsWith(bytes)) allowed[id] = true;
        if (_state.CanEnd)
            foreach (var id in _vocabulary.StopIds)
                if (id < allowed.Length) allowed[id] = true;
    }

    static void Walk(TokenVocabulary.TrieNode node, GrammarState state, bool[] allowed)
    {
        foreach (var (b, child) in node.Children)
        {
            if (state.Step(b) is not { } next) continue;
            foreach (var id in child.Tokens) allowed[id] = true;
            if (child.Children.Count > 0) Walk(child, next, allowed);
        }
    }

    /// <summary>Moves past text already written (false, and no move, when the grammar does not accept it).</summary>
    public bool TryFeed(ReadOnlySpan<byte> bytes)
    {
        if (_state.Step(bytes) is not { } next) return false;
        _state = next;
        return true;
    }

    public void Advance(int token)
    {
        if (_vocabulary.StopIds.Contains(token))
        {
            if (!_state.CanEnd) throw new InvalidOperationException($"Token {token} ends the output before the constraint is complete.");
            return;
        }
        var bytes = _vocabulary.Bytes(token);
        if (bytes.Length == 0)
        {
            var control = _vocabulary.ControlTokens.FirstOrDefault(c => c.Id == token).Bytes;
            if (control is null || !_state.LiteralStartsWith(control))
                throw new InvalidOperationException($"Token {token} is not allowed by the constraint here.");
            bytes = control;
        }
        _state = _state.Step(bytes) ?? throw new InvalidOperationException($"Token {token} is not allowed by the constraint here.");
    }
}
