using System.Buffers.Binary;
using CoKv.Models;

namespace CoKv.Llama2c;

/// <summary>The 7 int32 at the start of a llama2.c (legacy, version 0) checkpoint.</summary>
public sealed record Llama2cHeader(int Dim, int HiddenDim, int LayerCount, int HeadCount, int KvHeadCount, int VocabSize, int SeqLen, bool SharedClassifier)
{
    public const int ByteSize = 7 * 4;
    const uint VersionedMagic = 0x616b3432; // "ak42": llama2.c's later export formats, which this reader does not handle

    public int HeadSize => Dim / HeadCount;
    public int KvDim => KvHeadCount * HeadSize;

    public static Llama2cHeader Parse(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.Length < ByteSize)
            throw new ModelFormatException($"{path}: the file is truncated ({bytes.Length} bytes): a llama2.c checkpoint starts with a {ByteSize}-byte header.");
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) == VersionedMagic)
            throw new ModelFormatException($"{path}: this is a llama2.c checkpoint in a versioned export format (magic \"ak42\"); only the legacy format (7-int header, f32 weights) is supported.");
        static int I(ReadOnlySpan<byte> b, int i) => BinaryPrimitives.ReadInt32LittleEndian(b[(4 * i)..]);
        int dim = I(bytes, 0), hidden = I(bytes, 1), layers = I(bytes, 2), heads = I(bytes, 3), kvHeads = I(bytes, 4), vocab = I(bytes, 5), seq = I(bytes, 6);
        var header = new Llama2cHeader(dim, hidden, layers, heads, kvHeads, Math.Abs(vocab), seq, vocab > 0);
        bool ok = dim > 0 && hidden > 0 && layers > 0 && heads > 0 && kvHeads > 0 && vocab != 0 && vocab != int.MinValue && seq > 0
                  && dim % heads == 0 && heads % kvHeads == 0 && header.HeadSize % 2 == 0;
        if (!ok)
            throw new ModelFormatException($"{path}: not a llama2.c checkpoint: its header (dim {dim}, hidden {hidden}, layers {layers}, heads {heads}, kv heads {kvHeads}, vocab {vocab}, seq_len {seq}) does not describe a model.");
        return header;
    }
}
