using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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

    /// <summary>Exact (every f16 is an f32), vectorised by TensorPrimitives: it sits on the f16 decode path.</summary>
    public static unsafe void HalfToSingle(byte* source, Span<float> destination) =>
        TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(source, destination.Length), destination);

    /// <summary>A bf16 is the top half of an f32: widen and shift, 8 at a time.</summary>
    public static unsafe void BFloat16ToSingle(byte* source, Span<float> destination)
    {
        var s = (ushort*)source;
        int i = 0;
        fixed (float* d = destination)
        {
            for (; i + 8 <= destination.Length; i += 8)
            {
                var wide = Vector256.WidenLower(Vector128.Load(s + i).ToVector256Unsafe());
                Vector256.Store(Vector256.ShiftLeft(wide, 16).AsSingle(), d + i);
            }
        }
        for (; i < destination.Length; i++) destination[i] = BitConverter.Int32BitsToSingle(s[i] << 16);
    }

    public static unsafe void CopySingle(byte* source, Span<float> destination) =>
        new ReadOnlySpan<float>(source, destination.Length).CopyTo(destination);
}
