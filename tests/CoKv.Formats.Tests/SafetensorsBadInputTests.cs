using System.Text;
using CoKv.Models;
using CoKv.SafeTensors;
using CoKv.Tests;

namespace CoKv.Formats.Tests;

public class SafetensorsBadInputTests
{
    static string WithHeader(string json, int dataBytes)
    {
        var path = Path.Combine(TestPaths.TempDir("st-bad"), "model.safetensors");
        var header = Encoding.UTF8.GetBytes(json);
        using var w = new BinaryWriter(File.Create(path));
        w.Write((ulong)header.Length);
        w.Write(header);
        w.Write(new byte[dataBytes]);
        return path;
    }

    static void Fails(string path, string expected)
    {
        var e = Assert.Throws<ModelFormatException>(() => SafetensorsWeightSource.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Unsupported_dtype_is_refused_by_name() =>
        Fails(WithHeader("""{"a":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}""", 16), "tensor 'a' has dtype 'I64', which is not supported; supported: F32, F16, BF16");

    [Fact]
    public void Data_past_the_end_is_reported() =>
        Fails(WithHeader("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8), "past the end of the file");

    [Fact]
    public void Truncated_header_is_reported()
    {
        var path = WithHeader("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 16);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..20]);
        Fails(path, "truncated");
        File.WriteAllBytes(path, bytes[..5]);
        Fails(path, "truncated");
    }

    [Fact]
    public void Non_json_header_is_reported() => Fails(WithHeader("GGUF not json", 0), "not valid JSON");

    [Fact]
    public void Overflowing_and_oversized_shapes_are_reported_before_allocation()
    {
        Fails(WithHeader("""{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]}}""", 16), "overflows");
        long rows = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4 / 1024 + 1;
        Fails(WithHeader($$$"""{"a":{"dtype":"BF16","shape":[{{{rows}}},1024],"data_offsets":[0,16]}}""", 16), "memory");
    }
}
