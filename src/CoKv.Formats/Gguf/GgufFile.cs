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
                throw new ModelFormatException($"{file.Path}: tensor '{t.Name}' appears twice.");
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
            throw new ModelFormatException($"{path}: the header claims {tensorCountRaw} tensors and {kvCountRaw} metadata keys, more than the {file.Length}-byte file can hold (corrupt or truncated file).");

        var metadata = new Dictionary<string, object>(StringComparer.Ordinal);
        for (long i = 0; i < kvCountRaw; i++)
        {
            string key = r.String($"metadata key #{i}");
            var type = (GgufValueType)r.U32($"the type of metadata key '{key}'");
            var value = GgufMetadataReader.ReadValue(r, type, key, path);
            if (!metadata.TryAdd(key, value))
                throw new ModelFormatException($"{path}: metadata key '{key}' appears twice.");
        }

        int alignment = DefaultAlignment;
        if (metadata.TryGetValue("general.alignment", out var a))
        {
            long al = a switch { uint u => u, int s => s, ulong ul => (long)Math.Min(ul, int.MaxValue), long l => l, _ => -1 };
            if (al <= 0 || al > 1 << 20 || (al & (al - 1)) != 0)
                throw new ModelFormatException($"{path}: general.alignment {a} is not a power of two.");
            alignment = (int)al;
        }

        var infos = new List<(string Name, long[] Dims, GgmlType Type, ulong Offset)>((int)tensorCountRaw);
        for (long i = 0; i < tensorCountRaw; i++)
        {
            string name = r.String($"the name of tensor #{i}");
            uint nDims = r.U32($"the dimension count of tensor '{name}'");
            if (nDims > 4)
                throw new ModelFormatException($"{path}: tensor '{name}' has {nDims} dimensions (at most 4 are allowed).");
            var dims = new long[nDims];
            for (int d = 0; d < nDims; d++) dims[d] = r.I64($"the dimensions of tensor '{name}'");
            var type = (GgmlType)r.U32($"the type of tensor '{name}'");
            ulong offset = r.U64($"the data offset of tensor '{name}'");
            infos.Add((name, dims, type, offset));
        }

        long dataOffset = AlignUp(r.Position, alignment);
        long dataBytes = file.Length - dataOffset;
        var tensors = new List<GgufTensorInfo>(infos.Count);
        foreach (var (name, dims, type, offset) in infos)
        {
            long count = ElementCount(path, name, dims);
            long? bytes = null;
            if (GgmlTypes.Layout(type) is { } layout)
            {
                long firstDim = dims.Length == 0 ? 1 : dims[0];
                if (firstDim % layout.BlockSize != 0)
                    throw new ModelFormatException($"{path}: tensor '{name}' of type {GgmlTypes.Name(type)} has a row of {firstDim} elements, not a multiple of its block size {layout.BlockSize}.");
                try { bytes = checked(count / layout.BlockSize * layout.BlockBytes); }
                catch (OverflowException) { throw new ModelFormatException($"{path}: tensor '{name}' is too large: its byte size overflows."); }
            }
            if (offset % (ulong)alignment != 0)
                throw new ModelFormatException($"{path}: tensor '{name}' starts at data offset {offset}, which is not a multiple of the alignment {alignment}.");
            if (offset > (ulong)Math.Max(0, dataBytes) || (bytes is { } b && b > dataBytes - (long)offset))
                throw new ModelFormatException($"{path}: the data of tensor '{name}' (offset {offset}, {bytes?.ToString() ?? "?"} bytes) lies past the end of the file (truncated file: {Math.Max(0, dataBytes)} bytes of tensor data).");
            tensors.Add(new GgufTensorInfo(name, dims, type, (long)offset, count, bytes) { FileOffset = dataOffset + (long)offset });
        }
        return new GgufFile(file, version, alignment, dataOffset, metadata, tensors);
    }

    static long ElementCount(string path, string name, long[] dims)
    {
        long n = 1;
        foreach (var d in dims)
        {
            if (d < 0)
                throw new ModelFormatException($"{path}: tensor '{name}' has a negative dimension {d}.");
            try { n = checked(n * d); }
            catch (OverflowException)
            {
                throw new ModelFormatException($"{path}: tensor '{name}' has dimensions [{string.Join(", ", dims)}] whose element count overflows.");
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
