using System.Buffers.Binary;
using System.Text;
using CoKv.Plotting;

namespace CoKv.Tests;

public class PngEncoderTests
{
    [Fact]
    public void Crc32MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0u, Crc32.Compute([]));
    }

    [Fact]
    public void Crc32CanBeContinuedAcrossPieces()
    {
        var bytes = Encoding.ASCII.GetBytes("The quick brown fox jumps over the lazy dog");
        Assert.Equal(0x414FA339u, Crc32.Compute(bytes));
        Assert.Equal(Crc32.Compute(bytes), Crc32.Append(Crc32.Compute(bytes.AsSpan(0, 10)), bytes.AsSpan(10)));
    }

    [Theory]
    [InlineData(900, 560)]
    [InlineData(640, 400)]
    [InlineData(321, 203)]
    public void ChartPngHasSignatureAndRequestedSizeInIhdr(int width, int height)
    {
        var chart = new LineChart { Title = "t" }.Add("a", [(1.0, 2.0), (2.0, 3.0)]);
        foreach (var png in new[] { chart.ToPng(width, height), new Heatmap(new double[,] { { 1, 2 }, { 3, 4 } }).ToPng(width, height) })
        {
            Assert.Equal(PngTestDecoder.Signature, png[..8]);
            Assert.Equal(13, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(8)));
            Assert.Equal("IHDR", Encoding.ASCII.GetString(png, 12, 4));
            Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
            Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        }
    }

    [Fact]
    public void PixelsSurviveEncodingAndDecoding()
    {
        var random = new Random(7);
        int width = 37, height = 23;
        var rgba = new byte[width * height * 4];
        random.NextBytes(rgba);

        var decoded = PngTestDecoder.Decode(PngEncoder.Encode(width, height, rgba));

        Assert.Equal((width, height), (decoded.Width, decoded.Height));
        Assert.Equal(rgba, decoded.Rgba);
    }

    [Fact]
    public void RejectsPixelBufferOfTheWrongSize() =>
        Assert.Throws<ArgumentException>(() => PngEncoder.Encode(4, 4, new byte[4 * 4 * 3]));
}
