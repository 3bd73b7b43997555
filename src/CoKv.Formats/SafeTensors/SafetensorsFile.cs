using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
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

    static SafetensorsFile Parse(MappedFile file)
    {
        var path = file.Path;
        if (file.Length < 8)
            throw new ModelFormatException($"{path}: the file is truncated ({file.Length} bytes): a safetensors file starts with an 8-byte header length.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file.Span(0, 8));
        if (headerLength > (ulong)(file.Length - 8) || headerLength > 100_000_000)
            throw new ModelFormatException($"{path}: not a safetensors file, or truncated: its header length {headerLength} exceeds the {file.Length - 8} bytes that follow.");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var result = new SafetensorsFile(file, 8 + (long)headerLength, metadata);
        long dataBytes = file.Length - result._dataStart;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(file.Span(8, (int)headerLength).ToArray()); }
        catch (JsonException e) { throw new ModelFormatException($"{path}: not a safetensors file: its header is not JSON ({e.Message}).", e); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelFormatException($"{path}: not a safetensors file: its header is not a JSON object.");
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind == JsonValueKind.Object)
                        foreach (var m in prop.Value.EnumerateObject())
                            metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                result._entries[prop.Name] = ParseEntry(path, prop.Name, prop.Value, dataBytes);
            }
        }
        return result;
    }

    static Entry ParseEntry(string path, string name, JsonElement e, long dataBytes)
    {
        try
        {
            var dtypeName = e.GetProperty("dtype").GetString() ?? "";
            if (!SafetensorsDTypes.TryParse(dtypeName, out var dtype))
                throw new ModelFormatException($"{path}: tensor {name} has dtype {dtypeName}, which is not supported; supported: {SafetensorsDTypes.SupportedList}.");
            var shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            var offsets = e.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            if (offsets.Length != 2) throw new ModelFormatException($"{path}: tensor '{name}' has malformed data_offsets.");
            TensorLimits.CheckReadable(path, name, shape);
            long count = shape.Aggregate(1L, (a, b) => a * b);
            long begin = offsets[0], end = offsets[1];
            if (begin < 0 || end < begin || end > dataBytes)
                throw new ModelFormatException($"{path}: the data of tensor '{name}' (bytes {begin}..{end}) lies past the end of the file (truncated file: {dataBytes} bytes of tensor data).");
            if (end - begin != count * SafetensorsDTypes.Size(dtype))
                throw new ModelFormatException($"{path}: tensor '{name}' of shape [{string.Join(", ", shape)}] and dtype {dtypeName} should take {count * SafetensorsDTypes.Size(dtype)} bytes, its offsets give {end - begin}.");
            return new Entry(name, shape, dtype, begin, end);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ModelFormatException($"{path}: tensor '{name}' has a malformed header entry ({ex.Message}).", ex);
        }
    }

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
