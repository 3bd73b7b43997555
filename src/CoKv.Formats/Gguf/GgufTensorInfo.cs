namespace CoKv.Gguf;

/// <summary>
/// One tensor as the GGUF file describes it. <see cref="Dimensions"/> are in ggml order (ne[0], the fastest-varying,
/// first); <see cref="Shape"/> is the same reversed, outermost-first as PyTorch writes it.
/// </summary>
public sealed record GgufTensorInfo(string Name, long[] Dimensions, GgmlType Type, long Offset, long ElementCount, long? ByteCount)
{
    public long[] Shape => Dimensions.Reverse().ToArray();

    /// <summary>Offset of the first byte from the start of the file.</summary>
    public long FileOffset { get; init; }
}
