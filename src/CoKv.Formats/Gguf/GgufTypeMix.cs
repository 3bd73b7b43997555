namespace CoKv.Gguf;

/// <summary>How many tensors of a file have one ggml type, how many values and bytes they hold, and whether they can be read.</summary>
public sealed record GgufTypeCount(GgmlType Type, int Tensors, long Values, long? Bytes, bool Readable)
{
    /// <summary>Bits per stored value, where the byte size is known.</summary>
    public double? BitsPerValue => Bytes is { } b && Values > 0 ? 8.0 * b / Values : null;
}

public sealed partial class GgufFile
{
    /// <summary>The tensor types the file holds, largest first; works for any type, readable or not.</summary>
    public IReadOnlyList<GgufTypeCount> TypeMix() => Tensors
        .GroupBy(t => t.Type)
        .Select(g => new GgufTypeCount(g.Key, g.Count(), g.Sum(t => t.ElementCount),
            g.All(t => t.ByteCount.HasValue) ? g.Sum(t => t.ByteCount!.Value) : null, GgmlTypes.IsReadable(g.Key)))
        .OrderByDescending(c => c.Bytes ?? 0).ThenBy(c => c.Type)
        .ToList();

    /// <summary>Bytes the tensor data takes in the file (from the header), counting only types of known layout.</summary>
    public long TensorBytes => Tensors.Sum(t => t.ByteCount ?? 0);
}
