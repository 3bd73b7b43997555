using CoKv.Gguf;
using CoKv.Gguf.Quantization;
using CoKv.Tests;

namespace CoKv.Formats.Tests;

/// <summary>
/// Our block dequantizers against ggml's own (dequantize_row_* through ggml_get_type_traits()->to_float) on the same
/// bytes: bit-exact equality is required.
/// </summary>
[Collection(LlamaCppCollection.Name)]
public sealed class QuantizedBlockTests
{
    public static TheoryData<GgmlType> QuantizedTypes()
    {
        var data = new TheoryData<GgmlType>();
        foreach (var t in GgmlDequantizer.SupportedTypes)
            if (GgmlTypes.Layout(t)!.Value.BlockSize > 1) data.Add(t);
        return data;
    }

    [Fact]
    public void Block_layouts_match_ggml_for_every_type_it_defines()
    {
        foreach (var type in Enum.GetValues<GgmlType>())
        {
            var ours = GgmlTypes.Layout(type);
            Assert.True(ours.HasValue, $"{type} has no layout");
            Assert.Equal(GgmlReference.Layout(type), ((long)ours.Value.BlockSize, (long)ours.Value.BlockBytes));
        }
    }

    [Fact]
    public void All_twelve_types_of_common_files_are_supported()
    {
        GgmlType[] common = [GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0, GgmlType.Q2_K, GgmlType.Q3_K,
            GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.IQ4_NL, GgmlType.IQ4_XS];
        Assert.All(common, t => Assert.True(GgmlTypes.IsReadable(t), t.ToString()));
    }

    /// <summary>Rows that stress the quantizers: zeros, tiny and huge magnitudes, one outlier, skewed signs, plain noise.</summary>
    static float[] StressRows(int rows, int rowLength, int seed)
    {
        var rng = new Random(seed);
        var x = new float[rows * rowLength];
        for (int r = 0; r < rows; r++)
        {
            var row = x.AsSpan(r * rowLength, rowLength);
            for (int i = 0; i < rowLength; i++)
            {
                // Sum of uniforms: roughly Gaussian, as trained weights are.
                double g = rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 1.5;
                row[i] = (r % 6) switch
                {
                    0 => 0f,
                    1 => (float)(g * 1e-5),
                    2 => (float)(g * 3e3),
                    3 => i == rowLength / 3 ? 40f : (float)(g * 0.02),
                    4 => (float)(Math.Abs(g) * 0.1 - 0.01),
                    _ => (float)(g * 0.05),
                };
            }
            if (r % 6 == 0) row[rowLength / 2] = (float)rng.NextDouble(); // a lone non-zero among zeros
        }
        return x;
    }

    static void AssertBitEqual(ReadOnlySpan<float> ours, ReadOnlySpan<float> ggml, string what)
    {
        Assert.Equal(ggml.Length, ours.Length);
        for (int i = 0; i < ours.Length; i++)
            if (BitConverter.SingleToInt32Bits(ours[i]) != BitConverter.SingleToInt32Bits(ggml[i]))
                Assert.Fail($"{what}: value {i} is {ours[i]:R} (0x{BitConverter.SingleToInt32Bits(ours[i]):X8}); ggml gives {ggml[i]:R} (0x{BitConverter.SingleToInt32Bits(ggml[i]):X8})");
    }

    [Theory]
    [MemberData(nameof(QuantizedTypes))]
    public void Blocks_quantized_by_ggml_dequantize_to_the_same_bits(GgmlType type)
    {
        const int rows = 12, rowLength = 512;
        var x = StressRows(rows, rowLength, seed: (int)type);
        var blocks = GgmlReference.Quantize(type, x, rows, rowLength);
        var ggml = GgmlReference.Dequantize(type, blocks, x.Length);
        var ours = new float[x.Length];
        GgmlDequantizer.Dequantize(type, blocks, ours);
        AssertBitEqual(ours, ggml, $"{type} quantized by ggml");

        // Not a vacuous pass: the round trip is close to the input (each row within a fraction of its own range; f16 scales
        // cannot resolve the 1e-5 row finely, hence the absolute floor).
        for (int r = 0; r < rows; r++)
        {
            var row = x.AsSpan(r * rowLength, rowLength);
            float range = 0;
            foreach (var v in row) range = Math.Max(range, Math.Abs(v));
            for (int i = 0; i < rowLength; i++)
                Assert.True(Math.Abs(ours[r * rowLength + i] - row[i]) <= 0.6f * range + 3e-5f, $"{type} row {r} value {i}: {ours[r * rowLength + i]} vs {row[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(QuantizedTypes))]
    public void Random_block_bytes_dequantize_to_the_same_bits(GgmlType type)
    {
        // Every bit pattern a block can hold, including ones no quantizer writes (all scale codes, all high-bit masks).
        var (blockSize, blockBytes) = GgmlTypes.Layout(type)!.Value;
        const int blocks = 512;
        var bytes = new byte[blocks * blockBytes];
        new Random(7 + (int)type).NextBytes(bytes);
        if (type != GgmlType.MXFP4) TameHalfScales(type, bytes, blockBytes);
        var ggml = GgmlReference.Dequantize(type, bytes, (long)blocks * blockSize);
        var ours = new float[blocks * blockSize];
        GgmlDequantizer.Dequantize(type, bytes, ours);
        AssertBitEqual(ours, ggml, $"{type} random bytes");
    }

    /// <summary>Keeps random f16 scales finite, so the comparison is about the quants, not NaN payloads.</summary>
    static void TameHalfScales(GgmlType type, byte[] bytes, int blockBytes)
    {
        int[] offsets = type switch
        {
            GgmlType.Q2_K => [80, 82],
            GgmlType.Q3_K => [108],
            GgmlType.Q6_K => [208],
            GgmlType.Q4_1 or GgmlType.Q5_1 or GgmlType.Q4_K or GgmlType.Q5_K => [0, 2],
            _ => [0],
        };
        for (int b = 0; b < bytes.Length; b += blockBytes)
            foreach (var o in offsets) bytes[b + o + 1] &= 0xBB; // exponent < 31: never Inf or NaN
    }

    [Fact]
    public void Dequantize_refuses_a_partial_block_and_unsupported_types()
    {
        Assert.Throws<ArgumentException>(() => GgmlDequantizer.Dequantize(GgmlType.Q4_K, new byte[144], new float[255]));
        var e = Assert.Throws<NotSupportedException>(() => GgmlDequantizer.Dequantize(GgmlType.IQ2_XXS, new byte[66], new float[256]));
        Assert.Contains("IQ2_XXS", e.Message);
    }
}
