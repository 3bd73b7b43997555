using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using CoKv.HuggingFace;
using CoKv.Models;

namespace CoKv.SafeTensors;

/// <summary>One memory-mapped .safetensors file: an 8-byte header length, a JSON header, then the raw tensor bytes.</summary>
public sealed class SafetensorsFile : IDisposable
{
    public sealed record Entry(string Name, long[] Shape, SafetensorsDType DType, long Begin, long End);

    readonly MappedFile _file;
    readonly long _dataStart;
    readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public string Path => _file.Path;
    public IReadOnlyDictionary<string, Entry> Entries => _entries;
    public IReadOnlyDictionary<string, string> Metadata { get; }

    SafetensorsFile(MappedFile file, long dataStart, Dictionary<string, string> metadata)
    {
        _file = file;
        _dataStart = dataStart;
        Metadata = metadata;
    }

    public static SafetensorsFile Open(string path)
    {
        var file = MappedFile.Open(path);
        try { return Parse(file); }
        catch { file.Dispose(); throw; }
    }

    /// <summary>The format's own limit on the JSON header (safetensors refuses headers over 100 MB).</summary>
    const ulong MaxHeaderBytes = 100_000_000;

    static SafetensorsFile Parse(MappedFile file)
    {
        var path = file.Path;
        if (file.Length < 8)
            throw new ModelFormatException($"{path}: the file is truncated ({file.Length} bytes): a safetensors file starts with an 8-byte header length.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file.Span(0, 8));
        if (headerLength > (ulong)(file.Length - 8) || headerLength > MaxHeaderBytes)
            throw new ModelFormatException($"{path}: not a safetensors file, or truncated: its header length {headerLength:N0} exceeds the {file.Length - 8:N0} bytes that follow (or the limit of {MaxHeaderBytes:N0}).");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var result = new SafetensorsFile(file, 8 + (long)headerLength, metadata);
        long dataBytes = file.Length - result._dataStart;
        // JsonValues.Parse checks UTF-8 first: System.Text.Json would only find bad UTF-8 in a name when reading it.
        using (var doc = JsonValues.Parse(file.Span(8, (int)headerLength), path, "the safetensors header"))
        {
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind == JsonValueKind.Object)
                        foreach (var m in prop.Value.EnumerateObject())
                            metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                var entry = ParseEntry(path, prop.Name, prop.Value, dataBytes);
                if (!result._entries.TryAdd(prop.Name, entry))
                    throw new ModelFormatException($"{path}: tensor {MessageText.Quote(prop.Name)} appears twice in the header.");
            }
        }
        RequireDisjoint(path, result._entries.Values);
        return result;
    }

    /// <summary>Two tensors whose byte ranges overlap would alias each other's weights: a corrupt file, refused.</summary>
    static void RequireDisjoint(string path, IEnumerable<Entry> entries)
    {
        var sized = entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin).ToList();
        for (int i = 1; i < sized.Count; i++)
            if (sized[i].Begin < sized[i - 1].End)
                throw new ModelFormatException(
                    $"{path}: the data of tensors {MessageText.Quote(sized[i - 1].Name)} (bytes {sized[i - 1].Begin:N0}..{sized[i - 1].End:N0}) and {MessageText.Quote(sized[i].Name)} (bytes {sized[i].Begin:N0}..{sized[i].End:N0}) overlap.");
    }

    static Entry ParseEntry(string path, string name, JsonElement e, long dataBytes)
    {
        var tensor = $"tensor {MessageText.Quote(name)}";
        JsonValues.Kind(e, JsonValueKind.Object, path, name);
        var dtypeName = JsonValues.String(JsonValues.Required(e, "dtype", JsonValueKind.String, path, name + ".dtype"), path, name + ".dtype");
        if (!SafetensorsDTypes.TryParse(dtypeName, out var dtype))
            throw new ModelFormatException($"{path}: {tensor} has dtype {MessageText.Quote(dtypeName)}, which is not supported; supported: {SafetensorsDTypes.SupportedList}.");
        var shapeArray = JsonValues.Required(e, "shape", JsonValueKind.Array, path, name + ".shape");
        if (shapeArray.GetArrayLength() > 8)
            throw new ModelFormatException($"{path}: {tensor} has {shapeArray.GetArrayLength():N0} dimensions (at most 8 are read).");
        var shape = shapeArray.EnumerateArray().Select(x => Long(x, path, name + ".shape")).ToArray();
        var offsetArray = JsonValues.Required(e, "data_offsets", JsonValueKind.Array, path, name + ".data_offsets");
        if (offsetArray.GetArrayLength() != 2) throw JsonValues.WrongKind(offsetArray, "[begin, end]", path, name + ".data_offsets");
        long begin = Long(offsetArray[0], path, name + ".data_offsets[0]"), end = Long(offsetArray[1], path, name + ".data_offsets[1]");
        TensorLimits.CheckReadable(path, name, shape);
        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (begin < 0 || end < begin || end > dataBytes)
            throw new ModelFormatException($"{path}: the data of {tensor} (bytes {begin:N0}..{end:N0}) lies past the end of the file (truncated file: {dataBytes:N0} bytes of tensor data).");
        if (end - begin != count * SafetensorsDTypes.Size(dtype))
            throw new ModelFormatException($"{path}: {tensor} of shape [{string.Join(", ", shape)}] and dtype {dtypeName} should take {count * SafetensorsDTypes.Size(dtype):N0} bytes, its offsets give {end - begin:N0}.");
        return new Entry(name, shape, dtype, begin, end);
    }

    static long Long(JsonElement v, string path, string field) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long l) ? l : throw JsonValues.WrongKind(v, "a 64-bit integer", path, field);

    public void ReadFloat32(Entry entry, Span<float> destination)
    {
        long count = entry.Shape.Aggregate(1L, (a, b) => a * b);
        if (destination.Length != count)
            throw new ArgumentException($"tensor '{entry.Name}' has {count} elements; the destination holds {destination.Length}");
        ReadElements(entry, 0, destination);
    }

    /// <summary>Reads rows (of the last dimension) <paramref name="firstRow"/>.. as f32.</summary>
    public void ReadRows(Entry entry, long firstRow, Span<float> destination)
    {
        long columns = entry.Shape.Length == 0 ? 1 : entry.Shape[^1];
        long count = entry.Shape.Aggregate(1L, (a, b) => a * b);
        if (columns == 0 || destination.Length % columns != 0 || firstRow < 0 || firstRow * columns + destination.Length > count)
            throw new ArgumentException($"rows {firstRow}.. of tensor '{entry.Name}'");
        ReadElements(entry, firstRow * columns, destination);
    }

    unsafe void ReadElements(Entry entry, long first, Span<float> destination)
    {
        if (destination.Length == 0) return;
        byte* p = _file.At(_dataStart + entry.Begin + first * SafetensorsDTypes.Size(entry.DType));
        switch (entry.DType)
        {
            case SafetensorsDType.F32: FloatBits.CopySingle(p, destination); break;
            case SafetensorsDType.F16: FloatBits.HalfToSingle(p, destination); break;
            case SafetensorsDType.BF16: FloatBits.BFloat16ToSingle(p, destination); break;
        }
    }

    public void Dispose() => _file.Dispose();
}
