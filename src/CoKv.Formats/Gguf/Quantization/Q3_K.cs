using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using CoKv.Models;

namespace CoKv.Gguf.Quantization;

/// <summary>
/// ggml's Q3_K: 256 values in 110 bytes: 32 bytes of high bits (hmask), 64 bytes of low 2-bit quants, 12 bytes
/// packing 16 six-bit scales, f16 d. A value's 3-bit quant is its low bits minus 4 when its hmask bit is clear;
/// value = d · (scale − 32) · q.
/// </summary>
public static unsafe class Q3_K
{
    public const int BlockSize = 256;
    public const int BlockBytes = 110;

    public static void Dequantize(byte* source, float* destination, long blocks)
    {
        sbyte* scales = stackalloc sbyte[16];
        sbyte* buffer = stackalloc sbyte[16];
        var three = Vector128.Create((byte)3);
        var four = Vector128.Create((byte)4);
        for (long b = 0; b < blocks; b++, source += BlockBytes)
        {
            byte* hm = source;
            byte* q = source + 32;
            UnpackScales(source + 96, scales);
            float dAll = FloatBits.HalfToSingle(Unsafe.ReadUnaligned<ushort>(source + 108));
            int group = 0;
            int mask = 1;
            for (int half = 0; half < 2; half++, q += 32)
            {
                for (int shift = 0; shift < 8; shift += 2, mask <<= 1)
                {
                    for (int part = 0; part < 2; part++, group++, destination += 16)
                    {
                        float dl = dAll * (scales[group] - 32);
                        var low = Vector128.ShiftRightLogical(Vector128.Load(q + 16 * part), shift) & three;
                        // 4 is taken off where the high bit is clear.
                        var clear = Vector128.Equals(Vector128.Load(hm + 16 * part) & Vector128.Create((byte)mask), Vector128<byte>.Zero);
                        Vector128.Store((low - (clear & four)).AsSByte(), buffer);
                        Int8Scaling.Scale(buffer, dl, destination, 16);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The 16 six-bit scales: bytes 0–7 hold the low nibbles (scales 0–7 low, then 8–15 high), bytes 8–11 the two high
    /// bits of each, scale i's at bits 2·(i / 4) of byte 8 + i % 4.
    /// </summary>
    public static void UnpackScales(byte* packed, sbyte* scales)
    {
        for (int i = 0; i < 16; i++)
        {
            int low = i < 8 ? packed[i] & 0x0F : packed[i - 8] >> 4;
            int high = (packed[8 + i % 4] >> (2 * (i / 4))) & 3;
            scales[i] = (sbyte)(low | (high << 4));
        }
    }
}
