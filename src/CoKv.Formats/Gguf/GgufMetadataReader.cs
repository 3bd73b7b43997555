using CoKv.Models;

namespace CoKv.Gguf;

/// <summary>
/// Reads metadata values: scalars box to their .NET type, arrays become typed .NET arrays (nested arrays: object[]).
/// Every element count is checked against the bytes left before its array is allocated, so metadata never takes more
/// memory than a small multiple of the file's header; nesting is capped at <see cref="MaxArrayDepth"/> levels, so a
/// file of arrays nested 10^5 deep is refused rather than overflowing the stack (llama.cpp reads no nested arrays).
/// </summary>
static class GgufMetadataReader
{
    public const int MaxArrayDepth = 8;

    public static object ReadValue(GgufHeaderReader r, GgufValueType type, string key, string path) =>
        Read(r, type, "metadata " + MessageText.Quote(key), path);

    /// <param name="key">The key as messages show it (quoted, capped), computed once per value.</param>
    static object Read(GgufHeaderReader r, GgufValueType type, string key, string path) => type switch
    {
        GgufValueType.UInt8 => r.U8(key),
        GgufValueType.Int8 => (sbyte)r.U8(key),
        GgufValueType.UInt16 => r.U16(key),
        GgufValueType.Int16 => (short)r.U16(key),
        GgufValueType.UInt32 => r.U32(key),
        GgufValueType.Int32 => (int)r.U32(key),
        GgufValueType.Float32 => r.F32(key),
        GgufValueType.Bool => r.U8(key) != 0,
        GgufValueType.String => r.String(key),
        GgufValueType.UInt64 => r.U64(key),
        GgufValueType.Int64 => r.I64(key),
        GgufValueType.Float64 => r.F64(key),
        GgufValueType.Array => ReadArray(r, key, path, 1),
        _ => throw new ModelFormatException($"{path}: {key} has unknown value type {(uint)type}."),
    };

    static object ReadArray(GgufHeaderReader r, string key, string path, int depth)
    {
        if (depth > MaxArrayDepth)
            throw new ModelFormatException($"{path}: {key} holds arrays nested more than {MaxArrayDepth} levels deep (at byte {r.Position:N0}).");
        var itemType = (GgufValueType)r.U32(key + " array type");
        int n = r.Count($"the element count of {key}", MinBytes(itemType));
        switch (itemType)
        {
            case GgufValueType.String:
            {
                var a = new string[n];
                for (int i = 0; i < n; i++) a[i] = r.String(key);
                return a;
            }
            case GgufValueType.Array:
            {
                var a = new object[n];
                for (int i = 0; i < n; i++) a[i] = ReadArray(r, key, path, depth + 1);
                return a;
            }
            case GgufValueType.UInt8: return Fill<byte>(n, () => r.U8(key));
            case GgufValueType.Int8: return Fill<sbyte>(n, () => (sbyte)r.U8(key));
            case GgufValueType.UInt16: return Fill<ushort>(n, () => r.U16(key));
            case GgufValueType.Int16: return Fill<short>(n, () => (short)r.U16(key));
            case GgufValueType.UInt32: return Fill<uint>(n, () => r.U32(key));
            case GgufValueType.Int32: return Fill<int>(n, () => (int)r.U32(key));
            case GgufValueType.Float32: return Fill<float>(n, () => r.F32(key));
            case GgufValueType.Bool: return Fill<bool>(n, () => r.U8(key) != 0);
            case GgufValueType.UInt64: return Fill<ulong>(n, () => r.U64(key));
            case GgufValueType.Int64: return Fill<long>(n, () => r.I64(key));
            case GgufValueType.Float64: return Fill<double>(n, () => r.F64(key));
            default: throw new ModelFormatException($"{path}: array {key} has unknown element type {(uint)itemType}.");
        }
    }

    static T[] Fill<T>(int n, Func<T> read)
    {
        var a = new T[n];
        for (int i = 0; i < n; i++) a[i] = read();
        return a;
    }

    static int MinBytes(GgufValueType t) => t switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        _ => 8, // 64-bit values, and strings / arrays which start with a 64-bit length or type + count
    };
}
