using System.Buffers.Binary;
using CoKv.Models;

namespace CoKv.Llama2c;

/// <summary>The 7 int32 at the start of a llama2.c (legacy, version 0) checkpoint.</summary>
public sealed record Llama2cHeader(int Dim, int HiddenDim, int LayerCount, int HeadCount, int KvHeadCount, int VocabSize, int SeqLen, bool SharedClassifier)
{
    public const int ByteSize = 7 * 4;
    const uint VersionedMagic = 0x616b3432; // "ak42": llama2.c's later export formats, which this reader does not handle

    public int HeadSize => Dim / HeadCount;
    public long KvDim => (long)KvHeadCount * HeadSize;

    /// <summary>
    /// Bytes the header says the file holds: the header, every weight (f32), and the RoPE tables llama2.c writes.
    /// Counted exactly (no overflow), so that a header claiming 2^31 layers is measured before any table is built.
    /// </summary>
    public Int128 ExpectedFileBytes()
    {
        Int128 d = Dim, h = HiddenDim, kv = KvDim, v = VocabSize, l = LayerCount;
        Int128 perLayer = d + d * d + 2 * kv * d + d * d + d + 3 * h * d;
        Int128 floats = v * d + l * perLayer + d + 2 * (Int128)SeqLen * (HeadSize / 2) + (SharedClassifier ? 0 : v * d);
        return ByteSize + 4 * floats;
    }

    public static Llama2cHeader Parse(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.Length < ByteSize)
            throw new ModelFormatException($"{path}: the file is truncated ({bytes.Length} bytes): a llama2.c checkpoint starts with a {ByteSize}-byte header.");
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) == VersionedMagic)
            throw new ModelFormatException($"{path}: this is a llama2.c checkpoint in a versioned export format (magic \"ak42\"); only the legacy format (7-int header, f32 weights) is supported.");
        static int I(ReadOnlySpan<byte> b, int i) => BinaryPrimitives.ReadInt32LittleEndian(b[(4 * i)..]);
        int dim = I(bytes, 0), hidden = I(bytes, 1), layers = I(bytes, 2), heads = I(bytes, 3), kvHeads = I(bytes, 4), vocab = I(bytes, 5), seq = I(bytes, 6);
        // Checked before anything is computed from them: |int.MinValue| overflows, and heads = 0 would divide by zero.
        bool ok = dim > 0 && hidden > 0 && layers > 0 && heads > 0 && kvHeads > 0 && vocab != 0 && vocab != int.MinValue && seq > 0
                  && dim % heads == 0 && heads % kvHeads == 0 && dim / heads % 2 == 0;
        if (!ok)
            throw new ModelFormatException($"{path}: not a llama2.c checkpoint: its header (dim {dim}, hidden {hidden}, layers {layers}, heads {heads}, kv heads {kvHeads}, vocab {vocab}, seq_len {seq}) does not describe a model (each must be positive, vocab may be negative, dim a multiple of heads with an even head size, heads a multiple of kv heads).");
        var header = new Llama2cHeader(dim, hidden, layers, heads, kvHeads, Math.Abs(vocab), seq, vocab > 0);
        return header;
    }
}
