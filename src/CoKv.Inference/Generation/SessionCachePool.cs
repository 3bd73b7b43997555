namespace CoKv.Generation;

/// <summary>
/// The sessions of the last few requests, by session key, kept so that a follow-up request whose prompt extends one of
/// them prefills only its new tokens. Least recently used first out. Touched by the engine's worker thread only.
/// </summary>
sealed class SessionCachePool : IDisposable
{
    readonly int _capacity;
    readonly LinkedList<(string Key, InferenceSession Session)> _entries = new();

    public SessionCachePool(int capacity) => _capacity = capacity;

    public int Count => _entries.Count;

    /// <summary>
    /// Takes out the session kept under <paramref name="key"/> if the prompt starts with every token it holds and has
    /// at least one more (the logits of the next token come from prefilling the rest). A kept session that does not fit
    /// the prompt is disposed: the conversation went another way.
    /// </summary>
    public InferenceSession? TakeExtendable(string key, IReadOnlyList<int> prompt)
    {
        for (var node = _entries.First; node != null; node = node.Next)
        {
            if (node.Value.Key != key) continue;
            _entries.Remove(node);
            var session = node.Value.Session;
            if (IsStrictPrefix(session.Tokens, prompt)) return session;
            session.Dispose();
            return null;
        }
        return null;
    }

    /// <summary>Keeps a session under its key, disposing whatever it replaces or pushes out.</summary>
    public void Keep(string key, InferenceSession session)
    {
        if (_capacity == 0)
        {
            session.Dispose();
            return;
        }
        for (var node = _entries.First; node != null; node = node.Next)
            if (node.Value.Key == key)
            {
                node.Value.Session.Dispose();
                _entries.Remove(node);
                break;
            }
        _entries.AddFirst((key, session));
        while (_entries.Count > _capacity)
        {
            _entries.Last!.Value.Session.Dispose();
            _entries.RemoveLast();
        }
    }

    static bool IsStrictPrefix(IReadOnlyList<int> held, IReadOnlyList<int> prompt)
    {
        if (held.Count == 0 || held.Count >= prompt.Count) return false;
        for (int i = 0; i < held.Count; i++)
            if (held[i] != prompt[i]) return false;
        return true;
    }

    public void Dispose()
    {
        foreach (var (_, session) in _entries) session.Dispose();
        _entries.Clear();
    }
}
