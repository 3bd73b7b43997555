namespace CoKv.Profiles;

/// <summary>
/// One number per (layer, KV head): a Sliced Shapley value, a BaKlaVa importance, ... Budget policies read it; the
/// profile store writes it. Row-major: index = layer * KvHeads + head.
/// </summary>
public sealed record HeadScores(int Layers, int KvHeads, double[] Values)
{
    public double this[int layer, int head] => Values[layer * KvHeads + head];

    public int Count => Layers * KvHeads;

    public static HeadScores Create(int layers, int kvHeads, double[] values)
    {
        if (layers <= 0 || kvHeads <= 0) throw new ArgumentOutOfRangeException(nameof(layers), "Need at least one layer and one head.");
        if (values.Length != (long)layers * kvHeads)
            throw new ArgumentException($"{values.Length} scores given for {layers} layers x {kvHeads} KV heads.", nameof(values));
        if (values.Any(v => !double.IsFinite(v))) throw new ArgumentException("Scores must be finite.", nameof(values));
        return new HeadScores(layers, kvHeads, values);
    }
}
