using CoKv.Llama2c;
using CoKv.Models;
using CoKv.Tests;

namespace CoKv.Formats.Tests;

public class Llama2cBadInputTests
{
    [Fact]
    public void Truncated_checkpoints_are_reported()
    {
        var bytes = File.ReadAllBytes(TestPaths.SharedModel("stories260K.bin"));
        var dir = TestPaths.TempDir("l2c-bad");
        foreach (var cut in new[] { 0, 10, 28, bytes.Length / 2, bytes.Length - 4 })
        {
            var path = Path.Combine(dir, $"cut{cut}.bin");
            File.WriteAllBytes(path, bytes[..cut]);
            var e = Assert.Throws<ModelFormatException>(() => Llama2cCheckpoint.Open(path));
            Assert.Contains("truncated", e.Message);
            Assert.Contains(path, e.Message);
        }
    }

    [Fact]
    public void A_header_that_describes_no_model_is_reported()
    {
        var dir = TestPaths.TempDir("l2c-bad");
        var path = Path.Combine(dir, "text.bin");
        File.WriteAllText(path, "This is a text file, not a checkpoint at all.");
        var e = Assert.Throws<ModelFormatException>(() => Llama2cCheckpoint.Open(path));
        Assert.Contains("not a llama2.c checkpoint", e.Message);

        var huge = Path.Combine(dir, "huge.bin");
        using (var w = new BinaryWriter(File.Create(huge)))
            foreach (var v in new[] { 1 << 30, 1 << 30, 1000, 1 << 20, 1 << 20, 1 << 30, 512 }) w.Write(v);
        var e2 = Assert.Throws<ModelFormatException>(() => Llama2cCheckpoint.Open(huge));
        Assert.Contains(huge, e2.Message);
    }
}
