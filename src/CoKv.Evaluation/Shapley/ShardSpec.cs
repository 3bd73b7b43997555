using System.Globalization;

namespace CoKv.Shapley;

/// <summary>
/// "--shard i/n": shard i evaluates the draws j of the shared seeded sequence with j % n == i. Draws are a function
/// of (seed, j) only, so shards need no coordination and their checkpoints merge into the single-process result.
/// </summary>
public readonly record struct ShardSpec(int Index, int Count)
{
    public static ShardSpec Single => new(0, 1);

    public bool Owns(int drawIndex) => drawIndex % Count == Index;

    public static ShardSpec Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw new FormatException($"Shard '{text}' is not of the form i/n (e.g. 0/4).");
        return Create(i, n);
    }

    public static ShardSpec Create(int index, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), "Shard count must be at least 1.");
        if (index < 0 || index >= count) throw new ArgumentOutOfRangeException(nameof(index), $"Shard index {index} is not in 0..{count - 1}.");
        return new ShardSpec(index, count);
    }

    public override string ToString() => $"{Index}/{Count}";
}
