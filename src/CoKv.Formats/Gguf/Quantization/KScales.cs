namespace CoKv.Gguf.Quantization;

/// <summary>The 12-byte packing of eight 6-bit scales and eight 6-bit mins that Q4_K and Q5_K share.</summary>
public static unsafe class KScales
{
    /// <summary>Scale and min of sub-block <paramref name="j"/> (0–7), as ggml's get_scale_min_k4.</summary>
    public static void Get(int j, byte* packed, out int scale, out int min)
    {
        if (j < 4)
        {
            scale = packed[j] & 63;
            min = packed[j + 4] & 63;
        }
        else
        {
            scale = (packed[j + 4] & 0x0F) | ((packed[j - 4] >> 6) << 4);
            min = (packed[j + 4] >> 4) | ((packed[j] >> 6) << 4);
        }
    }
}
