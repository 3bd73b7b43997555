using CoKv.Models;

namespace CoKv.Gguf;

/// <summary>
/// A GGUF file (version 2 or 3), memory-mapped: the header and metadata are parsed on open, tensor data is read
/// straight from the map on request.
/// </summary>
public sealed partial class GgufFile : IDisposable
{
    public const uint Magic = 0x46554747; // "GGUF" read as a little-endian uint32
    public const int DefaultAlignment = 32;

    readonly MappedFile _file;
    readonly Dictionary<string, object> _metadata;
    readonly Dictionary<string, GgufTensorInfo> _tensorsByName;

    public string Path => _file.Path;
    public uint Version { get; }
    public int Alignment { get; }
    /// <summary>Offset in the file where the tensor data blob starts.</summary>
    public long DataOffset { get; }
    public IReadOnlyDictionary<string, object> Metadata => _metadata;
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>general.architecture ("llama", "qwen2", ...), or "" when the file does not say.</summary>
    public string Architecture => GetString("general.architecture") ?? "";

    GgufFile(MappedFile file, uint version, int alignment, long dataOffset, Dictionary<string, object> metadata, List<GgufTensorInfo> tensors)
    {
        _file = file;
        Version = version;
        Alignment = alignment;
        DataOffset = dataOffset;
        _metadata = metadata;
        Tensors = tensors;
        _tensorsByName = new Dictionary<string, GgufTensorInfo>(StringComparer.Ordinal);
        foreach (var t in tensors)
            if (!_tensorsByName.TryAdd(t.Name, t))
                throw new ModelFormatException($"{file.Path}: tensor {MessageText.Quote(t.Name)} appears twice.");
    }

    public static GgufFile Open(string path)
    {
        var file = MappedFile.Open(path);
        try
        {
            return Parse(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    static GgufFile Parse(MappedFile file)
    {
        var path = file.Path;
        var r = new GgufHeaderReader(file);
        if (file.Length < 4)
            throw new ModelFormatException($"{path}: the file is truncated ({file.Length} bytes): not even the GGUF magic fits.");
        uint magic = r.U32("the magic");
        if (magic != Magic)
            throw new ModelFormatException($"{path}: not a GGUF file (wrong magic 0x{magic:X8}; expected \"GGUF\").");
        uint version = r.U32("the version");
        if (version is not (2 or 3))
            throw new ModelFormatException($"{path}: GGUF version {version} is not supported (2 and 3 are).");
        // Each tensor info takes at least 8 (name length) + 4 (n_dims) + 4 (type) + 8 (offset) bytes.
        long tensorCountRaw = r.I64("the tensor count");
        long kvCountRaw = r.I64("the metadata count");
        if (tensorCountRaw < 0 || tensorCountRaw > r.Remaining / 24 || kvCountRaw < 0 || kvCountRaw > r.Remaining / 12)
            throw new ModelFormatException($"{path}: the header claims {tensorCountRaw:N0} tensors and {kvCountRaw:N0} metadata keys, more than the {file.Length:N0}-byte file can hold (corrupt or truncated file).");

        var metadata = new Dictionary<string, object>(StringComparer.Ordinal);
        for (long i = 0; i < kvCountRaw; i++)
        {
            string key = r.String($"metadata key #{i}", MaxKeyBytes);
            var type = (GgufValueType)r.U32($"the type of metadata key {MessageText.Quote(key)}");
            var value = GgufMetadataReader.ReadValue(r, type, key, path);
            if (!metadata.TryAdd(key, value))
                throw new ModelFormatException($"{path}: metadata key {MessageText.Quote(key)} appears twice.");
        }

        int alignment = DefaultAlignment;
        if (metadata.TryGetValue("general.alignment", out var a))
        {
            long al = a switch { uint u => u, int s => s, ulong ul => (long)Math.Min(ul, int.MaxValue), long l => l, _ => -1 };
            if (al <= 0 || al > 1 << 20 || (al & (al - 1)) != 0)
                throw new ModelFormatException($"{path}: general.alignment {MessageText.Quote(a.ToString())} is not a power of two from 1 to {1 << 20:N0}.");
            alignment = (int)al;
        }

        var infos = new List<(string Name, long[] Dims, GgmlType Type, ulong Offset)>((int)tensorCountRaw);
        for (long i = 0; i < tensorCountRaw; i++)
        {
            string name = r.String($"the name of tensor #{i}", MaxTensorNameBytes);
            var quoted = MessageText.Quote(name);
            uint nDims = r.U32($"the dimension count of tensor {quoted}");
            if (nDims > 4)
                throw new ModelFormatException($"{path}: tensor {quoted} has {nDims:N0} dimensions (at most 4 are allowed).");
            var dims = new long[nDims];
            for (int d = 0; d < nDims; d++) dims[d] = r.I64($"the dimensions of tensor {quoted}");
            var type = (GgmlType)r.U32($"the type of tensor {quoted}");
            ulong offset = r.U64($"the data offset of tensor {quoted}");
            infos.Add((name, dims, type, offset));
        }

        long dataOffset = AlignUp(r.Position, alignment);
        long dataBytes = file.Length - dataOffset;
        var tensors = new List<GgufTensorInfo>(infos.Count);
        foreach (var (name, dims, type, offset) in infos)
        {
            var quoted = MessageText.Quote(name);
            long count = ElementCount(path, quoted, dims);
            long? bytes = null;
            if (GgmlTypes.Layout(type) is { } layout)
            {
                long firstDim = dims.Length == 0 ? 1 : dims[0];
                if (firstDim % layout.BlockSize != 0)
                    throw new ModelFormatException($"{path}: tensor {quoted} of type {GgmlTypes.Name(type)} has a row of {firstDim:N0} elements, not a multiple of its block size {layout.BlockSize}.");
                try { bytes = checked(count / layout.BlockSize * layout.BlockBytes); }
                catch (OverflowException) { throw new ModelFormatException($"{path}: tensor {quoted} of {count:N0} elements is too large: its byte size overflows."); }
            }
            if (offset % (ulong)alignment != 0)
                throw new ModelFormatException($"{path}: tensor {quoted} starts at data offset {offset:N0}, which is not a multiple of the alignment {alignment}.");
            if (offset > (ulong)Math.Max(0, dataBytes) || (bytes is { } b && b > dataBytes - (long)offset))
                throw new ModelFormatException($"{path}: the data of tensor {quoted} (offset {offset:N0}, {bytes?.ToString("N0") ?? "?"} bytes) lies past the end of the file (truncated file: {Math.Max(0, dataBytes):N0} bytes of tensor data).");
            tensors.Add(new GgufTensorInfo(name, dims, type, (long)offset, count, bytes) { FileOffset = dataOffset + (long)offset });
        }
        RequireDisjoint(path, tensors);
        return new GgufFile(file, version, alignment, dataOffset, metadata, tensors);
    }

    /// <summary>Longest tensor name read (ggml's GGML_MAX_NAME is 64).</summary>
    const int MaxTensorNameBytes = 256;
    /// <summary>Longest metadata key read.</summary>
    const int MaxKeyBytes = 1024;

    /// <summary>Two tensors whose bytes overlap would alias each other's weights: a corrupt file, refused.</summary>
    static void RequireDisjoint(string path, List<GgufTensorInfo> tensors)
    {
        var sized = tensors.Where(t => t.ByteCount is > 0).OrderBy(t => t.Offset).ToList();
        for (int i = 1; i < sized.Count; i++)
        {
            var (previous, next) = (sized[i - 1], sized[i]);
            if (next.Offset < previous.Offset + previous.ByteCount!.Value)
                throw new ModelFormatException(
                    $"{path}: the data of tensors {MessageText.Quote(previous.Name)} (bytes {previous.Offset:N0}..{previous.Offset + previous.ByteCount:N0}) and {MessageText.Quote(next.Name)} (from byte {next.Offset:N0}) overlap.");
        }
    }

    static long ElementCount(string path, string quotedName, long[] dims)
    {
        long n = 1;
        foreach (var d in dims)
        {
            if (d < 0)
                throw new ModelFormatException($"{path}: tensor {quotedName} has a negative dimension {d:N0}.");
            try { n = checked(n * d); }
            catch (OverflowException)
            {
                throw new ModelFormatException($"{path}: tensor {quotedName} has dimensions [{string.Join(", ", dims)}] whose element count overflows.");
            }
        }
        return n;
    }

    internal static long AlignUp(long value, int alignment) => (value + alignment - 1) / alignment * alignment;

    public bool ContainsTensor(string name) => _tensorsByName.ContainsKey(name);

    public GgufTensorInfo? FindTensor(string name) => _tensorsByName.GetValueOrDefault(name);

    public GgufTensorInfo GetTensor(string name) =>
        _tensorsByName.TryGetValue(name, out var t) ? t : throw new ModelFormatException($"{Path}: no tensor named '{name}'.");

    public void Dispose() => _file.Dispose();
}
