using CoKv.Models;

namespace CoKv.Gguf;

public sealed partial class GgufFile
{
    public bool ContainsKey(string key) => _metadata.ContainsKey(key);

    public string? GetString(string key) => _metadata.TryGetValue(key, out var v) && v is string s ? s : null;

    /// <summary>Any integer type (and bool as 0/1 is not accepted); null when the key is absent or not an integer.</summary>
    public long? GetInteger(string key)
    {
        if (!_metadata.TryGetValue(key, out var v)) return null;
        return v switch
        {
            byte b => b, sbyte sb => sb, ushort us => us, short s => s, uint u => u, int i => i, long l => l,
            ulong ul when ul <= long.MaxValue => (long)ul,
            ulong ul => throw new ModelFormatException($"{Path}: metadata '{key}' = {ul} does not fit a 64-bit signed integer."),
            _ => null,
        };
    }

    /// <summary>
    /// A float32/float64 value (an integer value is converted too). A float32 comes back as the double nearest its
    /// shortest decimal form, so that 1e-5 written as f32 reads as 1e-5 rather than 9.99999974e-6.
    /// </summary>
    public double? GetFloat(string key)
    {
        if (!_metadata.TryGetValue(key, out var v)) return null;
        return v switch
        {
            float f => double.Parse(f.ToString("R", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture),
            double d => d,
            _ => GetInteger(key),
        };
    }

    public bool? GetBool(string key) => _metadata.TryGetValue(key, out var v) && v is bool b ? b : null;

    public IReadOnlyList<string>? GetStringArray(string key) => _metadata.TryGetValue(key, out var v) && v is string[] a ? a : null;

    /// <summary>An array of float32 (float64 and integer arrays are converted).</summary>
    public float[]? GetFloatArray(string key)
    {
        if (!_metadata.TryGetValue(key, out var v)) return null;
        return v switch
        {
            float[] f => f,
            double[] d => Array.ConvertAll(d, x => (float)x),
            _ => GetIntArray(key) is { } ints ? Array.ConvertAll(ints, x => (float)x) : null,
        };
    }

    /// <summary>An array of any integer type, as int32; values out of int32 range are refused.</summary>
    public int[]? GetIntArray(string key)
    {
        if (!_metadata.TryGetValue(key, out var v)) return null;
        try
        {
            return v switch
            {
                int[] i => i,
                uint[] u => Array.ConvertAll(u, x => checked((int)x)),
                short[] s => Array.ConvertAll(s, x => (int)x),
                ushort[] us => Array.ConvertAll(us, x => (int)x),
                sbyte[] sb => Array.ConvertAll(sb, x => (int)x),
                byte[] b => Array.ConvertAll(b, x => (int)x),
                long[] l => Array.ConvertAll(l, x => checked((int)x)),
                ulong[] ul => Array.ConvertAll(ul, x => checked((int)x)),
                _ => null,
            };
        }
        catch (OverflowException)
        {
            throw new ModelFormatException($"{Path}: metadata array '{key}' holds values outside the 32-bit integer range.");
        }
    }
}
