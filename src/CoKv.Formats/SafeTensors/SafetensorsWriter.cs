using System.Text;
using System.Text.Json;
using CoKv.Models;

namespace CoKv.SafeTensors;

/// <summary>Writes a .safetensors file (tensors in the given order, header padded to 8 bytes as the reference writer does).</summary>
public static class SafetensorsWriter
{
    public static void Write(
        string path,
        IReadOnlyDictionary<string, (long[] shape, float[] data)> tensors,
        SafetensorsDType dtype = SafetensorsDType.F32,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        int size = SafetensorsDTypes.Size(dtype);
        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        long offset = 0;
        foreach (var (name, (shape, data)) in tensors)
        {
            long count = shape.Aggregate(1L, (a, b) => a * b);
            if (count != data.Length) throw new ArgumentException($"tensor '{name}': shape [{string.Join(", ", shape)}] holds {count} values, {data.Length} given");
            header[name] = new { dtype = dtype.ToString(), shape, data_offsets = new[] { offset, offset + count * size } };
            offset += count * size;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int padded = (json.Length + 7) / 8 * 8;
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir != null) Directory.CreateDirectory(dir);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var w = new BinaryWriter(stream);
        w.Write((ulong)padded);
        w.Write(json);
        for (int i = json.Length; i < padded; i++) w.Write((byte)' ');
        foreach (var (_, (_, data)) in tensors)
        {
            if (dtype == SafetensorsDType.F32)
            {
                w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
                continue;
            }
            var buffer = new byte[data.Length * 2];
            for (int i = 0; i < data.Length; i++)
            {
                ushort bits = dtype == SafetensorsDType.F16 ? FloatBits.SingleToHalf(data[i]) : FloatBits.SingleToBFloat16(data[i]);
                buffer[2 * i] = (byte)bits;
                buffer[2 * i + 1] = (byte)(bits >> 8);
            }
            w.Write(buffer);
        }
    }
}
