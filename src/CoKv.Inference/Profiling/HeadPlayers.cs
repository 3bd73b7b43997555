namespace CoKv.Profiling;

/// <summary>
/// Which KV heads are the players of a game. Normally every head (player p = layer p / kvHeads, head p % kvHeads, the
/// row-major order of profiles); a game may take only some heads as players, the others then always keep their full
/// cache (small exact games on a model with more heads than exact enumeration allows).
/// </summary>
public sealed class HeadPlayers
{
    readonly int[] _heads;
    readonly int[] _alwaysFull;

    public HeadPlayers(int layers, int kvHeads, IReadOnlyList<int>? playerHeads = null)
    {
        Layers = layers;
        KvHeads = kvHeads;
        int n = layers * kvHeads;
        _heads = (playerHeads ?? Enumerable.Range(0, n).ToArray()).ToArray();
        if (_heads.Any(h => h < 0 || h >= n) || _heads.Distinct().Count() != _heads.Length)
            throw new ArgumentException($"Player heads must be distinct indices in 0..{n - 1}.", nameof(playerHeads));
        _alwaysFull = Enumerable.Range(0, n).Except(_heads).ToArray();
    }

    /// <summary>The heads of the given layers (and only those) are players.</summary>
    public static HeadPlayers OfLayers(int layers, int kvHeads, IEnumerable<int> playerLayers) =>
        new(layers, kvHeads, playerLayers.SelectMany(l => Enumerable.Range(l * kvHeads, kvHeads)).ToArray());

    public int Layers { get; }
    public int KvHeads { get; }
    public int Count => _heads.Length;
    public IReadOnlyList<int> Heads => _heads;
    public bool CoversAllHeads => _alwaysFull.Length == 0;

    /// <summary>Row-major head indices that keep their whole cache when <paramref name="coalition"/> (player ids) plays.</summary>
    public bool[] FullHeads(IReadOnlySet<int> coalition)
    {
        var full = new bool[Layers * KvHeads];
        foreach (var h in _alwaysFull) full[h] = true;
        foreach (var p in coalition)
        {
            if (p < 0 || p >= _heads.Length) throw new ArgumentOutOfRangeException(nameof(coalition), p, $"Players are 0..{_heads.Length - 1}.");
            full[_heads[p]] = true;
        }
        return full;
    }
}
