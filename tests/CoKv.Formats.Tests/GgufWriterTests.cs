using CoKv.Gguf;
using CoKv.Models;
using CoKv.Tests;

namespace CoKv.Formats.Tests;

public class GgufWriterTests
{
    [Fact]
    public void Metadata_of_every_type_round_trips()
    {
        var path = Path.Combine(TestPaths.TempDir("gguf-meta"), "meta.gguf");
        var w = new GgufWriter()
            .Set("general.architecture", "llama")
            .Set("u8", (byte)200).Set("i8", (sbyte)-100).Set("u16", (ushort)60000).Set("i16", (short)-30000)
            .Set("u32", 4000000000u).Set("i32", -2000000000).Set("u64", 1UL << 60).Set("i64", -(1L << 60))
            .Set("f32", 0.25f).Set("f64", Math.PI).Set("yes", true).Set("text", "héllo ▁ world")
            .Set("strings", new[] { "a", "", "ü" }).Set("floats", new[] { 1.5f, -2f }).Set("ints", new[] { 7, -8 })
            .Set("u8s", new byte[] { 1, 2 }).Set("nested", new object[] { new[] { 1, 2 }, new[] { "x" } });
        w.Write(path);

        using var f = GgufFile.Open(path);
        Assert.Equal("llama", f.Architecture);
        Assert.Equal(200, f.GetInteger("u8"));
        Assert.Equal(-100, f.GetInteger("i8"));
        Assert.Equal(60000, f.GetInteger("u16"));
        Assert.Equal(-30000, f.GetInteger("i16"));
        Assert.Equal(4000000000, f.GetInteger("u32"));
        Assert.Equal(-2000000000, f.GetInteger("i32"));
        Assert.Equal(1L << 60, f.GetInteger("u64"));
        Assert.Equal(-(1L << 60), f.GetInteger("i64"));
        Assert.Equal(0.25, f.GetFloat("f32"));
        Assert.Equal(Math.PI, f.GetFloat("f64"));
        Assert.True(f.GetBool("yes"));
        Assert.Equal("héllo ▁ world", f.GetString("text"));
        Assert.Equal(["a", "", "ü"], f.GetStringArray("strings")!);
        Assert.Equal([1.5f, -2f], f.GetFloatArray("floats")!);
        Assert.Equal([7, -8], f.GetIntArray("ints")!);
        Assert.Equal([1, 2], f.GetIntArray("u8s")!);
        var nested = Assert.IsType<object[]>(f.Metadata["nested"]);
        Assert.Equal(new[] { 1, 2 }, nested[0]);
        Assert.Equal(new[] { "x" }, nested[1]);
        Assert.Null(f.GetInteger("text"));
        Assert.Null(f.GetString("u8"));
        Assert.False(f.ContainsKey("absent"));
    }

    [Theory]
    [InlineData(GgmlType.F32)]
    [InlineData(GgmlType.F16)]
    [InlineData(GgmlType.BF16)]
    [InlineData(GgmlType.Q8_0)]
    public void Tensors_round_trip_within_the_precision_of_their_type(GgmlType type)
    {
        var path = Path.Combine(TestPaths.TempDir("gguf-tensors"), "t.gguf");
        var rng = new Random(3);
        var a = Enumerable.Range(0, 3 * 64).Select(_ => (float)(rng.NextDouble() * 8 - 4)).ToArray();
        var b = Enumerable.Range(0, 5).Select(i => (float)i).ToArray();
        new GgufWriter().Set("general.architecture", "llama")
            .AddTensor("a", [3, 64], a, type)
            .AddTensor("b", [5], b)
            .Write(path);

        using var f = GgufFile.Open(path);
        var ta = f.GetTensor("a");
        Assert.Equal(new long[] { 64, 3 }, ta.Dimensions);
        Assert.Equal(new long[] { 3, 64 }, ta.Shape);
        Assert.Equal(type, ta.Type);
        Assert.All(f.Tensors, t => Assert.Equal(0, t.FileOffset % f.Alignment));
        var back = new float[a.Length];
        f.ReadFloat32(ta, back);
        for (int i = 0; i < a.Length; i++)
        {
            // Q8_0: half a quantization step of the block's scale max|x|/127 (plus the f16 rounding of the scale).
            float blockMax = type == GgmlType.Q8_0 ? a.Skip(i / 32 * 32).Take(32).Max(Math.Abs) : 0;
            float tolerance = type switch
            {
                GgmlType.F32 => 0,
                GgmlType.F16 => Math.Abs(a[i]) * (1f / 2048) + 1e-7f,
                GgmlType.BF16 => Math.Abs(a[i]) * (1f / 256),
                _ => blockMax / 127 * 0.5f + blockMax * 1e-3f,
            };
            Assert.True(Math.Abs(a[i] - back[i]) <= tolerance, $"{type} [{i}] {a[i]} → {back[i]}");
        }
        var backB = new float[5];
        f.ReadFloat32(f.GetTensor("b"), backB);
        Assert.Equal(b, backB);
    }

    [Fact]
    public void Non_default_alignment_is_written_and_honoured()
    {
        var path = Path.Combine(TestPaths.TempDir("gguf-align"), "t.gguf");
        new GgufWriter(alignment: 64).Set("general.architecture", "llama")
            .AddTensor("x", [3], [1f, 2f, 3f]).AddTensor("y", [2], [4f, 5f]).Write(path);
        using var f = GgufFile.Open(path);
        Assert.Equal(64, f.Alignment);
        Assert.Equal(64, f.GetInteger("general.alignment"));
        Assert.All(f.Tensors, t => Assert.Equal(0, t.FileOffset % 64));
        var y = new float[2];
        f.ReadFloat32(f.GetTensor("y"), y);
        Assert.Equal([4f, 5f], y);
    }

    [Fact]
    public void Version_2_files_are_read()
    {
        var path = Path.Combine(TestPaths.TempDir("gguf-v2"), "t.gguf");
        new GgufWriter().Set("general.architecture", "llama").AddTensor("x", [2], [1f, 2f]).Write(path);
        var bytes = File.ReadAllBytes(path);
        BitConverter.TryWriteBytes(bytes.AsSpan(4), 2u); // v2 and v3 share the layout (v3 only allowed big-endian files)
        File.WriteAllBytes(path, bytes);
        using var f = GgufFile.Open(path);
        Assert.Equal(2u, f.Version);
        var x = new float[2];
        f.ReadFloat32(f.GetTensor("x"), x);
        Assert.Equal([1f, 2f], x);
    }
}
