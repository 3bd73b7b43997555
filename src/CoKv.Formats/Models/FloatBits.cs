using System.Runtime.CompilerServices;

namespace CoKv.Models;

/// <summary>Conversions between f32 and the 16-bit float formats stored in model files.</summary>
public static class FloatBits
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HalfToSingle(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort SingleToHalf(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float BFloat16ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>Rounds to nearest even, as PyTorch does; NaN stays a (quiet) NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort SingleToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x40);
        uint rounding = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    public static unsafe void HalfToSingle(byte* source, Span<float> destination)
    {
        var s = (ushort*)source;
        for (int i = 0; i < destination.Length; i++) destination[i] = HalfToSingle(s[i]);
    }

    public static unsafe void BFloat16ToSingle(byte* source, Span<float> destination)
    {
        var s = (ushort*)source;
        for (int i = 0; i < destination.Length; i++) destination[i] = BitConverter.Int32BitsToSingle(s[i] << 16);
    }

    public static unsafe void CopySingle(byte* source, Span<float> destination) =>
        new ReadOnlySpan<float>(source, destination.Length).CopyTo(destination);
}
