using System.Text;
using CoKv.Models;
using CoKv.Gguf.Quantization;

namespace CoKv.Gguf;

/// <summary>
/// Writes GGUF v3 files: metadata of every GGUF value type and tensors as F32, F16, BF16 or Q8_0. Tensors are held
/// encoded in memory until <see cref="Write"/>; meant for test models and small shipped models.
/// </summary>
public sealed class GgufWriter
{
    readonly List<(string Key, GgufValueType Type, object Value)> _metadata = [];
    readonly List<(string Name, long[] Dims, GgmlType Type, byte[] Data)> _tensors = [];

    public int Alignment { get; }

    public GgufWriter(int alignment = GgufFile.DefaultAlignment)
    {
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0) throw new ArgumentException("alignment must be a power of two", nameof(alignment));
        Alignment = alignment;
        if (alignment != GgufFile.DefaultAlignment) Set("general.alignment", (uint)alignment);
    }

    /// <summary>
    /// Adds a metadata value; its GGUF type follows the .NET type: string, bool, byte, sbyte, ushort, short, uint,
    /// int, ulong, long, float, double, or a one-dimensional array of one of these (arrays of arrays: object[] of arrays).
    /// </summary>
    public GgufWriter Set(string key, object value)
    {
        var type = TypeOf(value, key);
        if (value is Array and not object[]) ValidateArray((Array)value, key);
        int i = _metadata.FindIndex(m => m.Key == key);
        if (i >= 0) _metadata[i] = (key, type, value);
        else _metadata.Add((key, type, value));
        return this;
    }

    static void ValidateArray(Array a, string key) => ScalarType(a.GetType().GetElementType()!, key);

    static GgufValueType TypeOf(object value, string key) => value switch
    {
        Array => GgufValueType.Array,
        _ => ScalarType(value.GetType(), key),
    };

    static GgufValueType ScalarType(Type t, string key)
    {
        if (t == typeof(string)) return GgufValueType.String;
        if (t == typeof(bool)) return GgufValueType.Bool;
        if (t == typeof(byte)) return GgufValueType.UInt8;
        if (t == typeof(sbyte)) return GgufValueType.Int8;
        if (t == typeof(ushort)) return GgufValueType.UInt16;
        if (t == typeof(short)) return GgufValueType.Int16;
        if (t == typeof(uint)) return GgufValueType.UInt32;
        if (t == typeof(int)) return GgufValueType.Int32;
        if (t == typeof(ulong)) return GgufValueType.UInt64;
        if (t == typeof(long)) return GgufValueType.Int64;
        if (t == typeof(float)) return GgufValueType.Float32;
        if (t == typeof(double)) return GgufValueType.Float64;
        if (t == typeof(object)) return GgufValueType.Array; // object[]: an array of arrays
        throw new ArgumentException($"metadata '{key}': {t.Name} has no GGUF type");
    }

    /// <summary>Adds a tensor; <paramref name="shape"/> is outermost-first (PyTorch order) and reversed into ggml order.</summary>
    public GgufWriter AddTensor(string name, long[] shape, ReadOnlySpan<float> data, GgmlType type = GgmlType.F32)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (count != data.Length) throw new ArgumentException($"tensor '{name}': shape [{string.Join(", ", shape)}] holds {count} values, {data.Length} given");
        if (_tensors.Any(t => t.Name == name)) throw new ArgumentException($"tensor '{name}' added twice");
        var dims = shape.Reverse().ToArray();
        _tensors.Add((name, dims, type, Encode(name, dims, data, type)));
        return this;
    }

    /// <summary>
    /// Adds a tensor of any ggml type from its stored bytes (whole blocks, rows back to back), e.g. blocks quantized
    /// by llama.cpp; <paramref name="shape"/> is outermost-first.
    /// </summary>
    public GgufWriter AddRawTensor(string name, long[] shape, GgmlType type, ReadOnlySpan<byte> bytes)
    {
        var (blockSize, blockBytes) = GgmlTypes.Layout(type) ?? throw new ArgumentException($"tensor '{name}': type {GgmlTypes.Name(type)} has no known block layout");
        long count = shape.Aggregate(1L, (a, b) => a * b);
        long row = shape.Length == 0 ? 1 : shape[^1];
        if (row % blockSize != 0 || count / blockSize * blockBytes != bytes.Length)
            throw new ArgumentException($"tensor '{name}': {bytes.Length} bytes are not shape [{string.Join(", ", shape)}] in {GgmlTypes.Name(type)} blocks of {blockSize} values in {blockBytes} bytes");
        if (_tensors.Any(t => t.Name == name)) throw new ArgumentException($"tensor '{name}' added twice");
        _tensors.Add((name, shape.Reverse().ToArray(), type, bytes.ToArray()));
        return this;
    }

    static byte[] Encode(string name, long[] dims, ReadOnlySpan<float> data, GgmlType type)
    {
        switch (type)
        {
            case GgmlType.F32:
                return System.Runtime.InteropServices.MemoryMarshal.AsBytes(data).ToArray();
            case GgmlType.F16:
            case GgmlType.BF16:
            {
                var bytes = new byte[data.Length * 2];
                for (int i = 0; i < data.Length; i++)
                {
                    ushort bits = type == GgmlType.F16 ? FloatBits.SingleToHalf(data[i]) : FloatBits.SingleToBFloat16(data[i]);
                    bytes[2 * i] = (byte)bits;
                    bytes[2 * i + 1] = (byte)(bits >> 8);
                }
                return bytes;
            }
            case GgmlType.Q8_0:
            {
                long row = dims.Length == 0 ? 1 : dims[0];
                if (row % GgmlTypes.Q8_0BlockSize != 0)
                    throw new ArgumentException($"tensor '{name}': Q8_0 needs rows of a multiple of {GgmlTypes.Q8_0BlockSize} values, not {row}");
                var bytes = new byte[data.Length / GgmlTypes.Q8_0BlockSize * GgmlTypes.Q8_0BlockBytes];
                Q8_0.Quantize(data, bytes);
                return bytes;
            }
            default:
                throw new ArgumentException($"tensor '{name}': cannot write type {GgmlTypes.Name(type)}; writable: F32, F16, BF16, Q8_0");
        }
    }

    public void Write(string path)
    {
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir != null) Directory.CreateDirectory(dir);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(GgufFile.Magic);
        w.Write(3u);
        w.Write((long)_tensors.Count);
        w.Write((long)_metadata.Count);
        foreach (var (key, type, value) in _metadata)
        {
            WriteString(w, key);
            w.Write((uint)type);
            WriteValue(w, type, value, key);
        }
        long offset = 0;
        foreach (var (name, dims, type, data) in _tensors)
        {
            WriteString(w, name);
            w.Write((uint)dims.Length);
            foreach (var d in dims) w.Write(d);
            w.Write((uint)type);
            w.Write((ulong)offset);
            offset = GgufFile.AlignUp(offset + data.Length, Alignment);
        }
        Pad(w);
        foreach (var (_, _, _, data) in _tensors)
        {
            w.Write(data);
            Pad(w);
        }
    }

    void Pad(BinaryWriter w)
    {
        w.Flush();
        long pos = w.BaseStream.Position;
        long target = GgufFile.AlignUp(pos, Alignment);
        for (long i = pos; i < target; i++) w.Write((byte)0);
    }

    static void WriteString(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    static void WriteValue(BinaryWriter w, GgufValueType type, object value, string key)
    {
        switch (value)
        {
            case string s: WriteString(w, s); break;
            case bool b: w.Write((byte)(b ? 1 : 0)); break;
            case byte v: w.Write(v); break;
            case sbyte v: w.Write(v); break;
            case ushort v: w.Write(v); break;
            case short v: w.Write(v); break;
            case uint v: w.Write(v); break;
            case int v: w.Write(v); break;
            case ulong v: w.Write(v); break;
            case long v: w.Write(v); break;
            case float v: w.Write(v); break;
            case double v: w.Write(v); break;
            case Array a:
            {
                var itemType = ScalarType(a.GetType().GetElementType()!, key);
                w.Write((uint)itemType);
                w.Write((ulong)a.Length);
                foreach (var item in a)
                    WriteValue(w, itemType == GgufValueType.Array ? GgufValueType.Array : itemType, item!, key);
                break;
            }
            default: throw new ArgumentException($"metadata '{key}': {value.GetType().Name} has no GGUF type");
        }
    }
}
