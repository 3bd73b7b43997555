using CoKv.Plotting;

namespace CoKv.Tests;

public class PngTests
{
    [Theory]
    [InlineData(900, 560)]
    [InlineData(640, 400)]
    [InlineData(321, 203)]
    public void ChartsEncodeAsPngOfTheRequestedSize(int width, int height)
    {
        var chart = new LineChart { Title = "t" }.Add("a", [(1.0, 2.0), (2.0, 3.0)]);
        var heatmap = new Heatmap(new double[,] { { 1, 2 }, { 3, 4 } });
        foreach (var png in new[] { chart.ToPng(width, height), heatmap.ToPng(width, height) })
        {
            var decoded = DecodedPng.Decode(png);
            Assert.Equal((width, height), (decoded.Width, decoded.Height));
            Assert.All(decoded.Pixels, p => Assert.Equal(255, p.A)); // charts are opaque
        }
    }

    [Fact]
    public void CanvasPixelsSurviveEncodingAndDecoding()
    {
        var random = new Random(7);
        const int width = 37, height = 23;
        using var canvas = new Canvas(width, height);
        var expected = new Rgba[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var c = new Rgba((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                canvas.FillRect(x, y, 1, 1, c);
                expected[y * width + x] = c;
            }

        var decoded = DecodedPng.Decode(canvas.ToPng());

        Assert.Equal((width, height), (decoded.Width, decoded.Height));
        Assert.Equal(expected, decoded.Pixels);
        Assert.Equal(expected[5 * width + 3], canvas.GetPixel(3, 5));
    }

    [Fact]
    public void SaveCreatesTheFolderAndWritesTheSamePng()
    {
        var dir = Path.Combine(Path.GetTempPath(), "cokv-plot-" + Guid.NewGuid().ToString("N"));
        try
        {
            var path = Path.Combine(dir, "nested", "chart.png");
            var chart = new LineChart { Title = "saved" }.Add("a", [(0.0, 1.0), (1.0, 0.0)]);
            chart.Save(path, 400, 300);
            var decoded = DecodedPng.Decode(File.ReadAllBytes(path));
            Assert.Equal((400, 300), (decoded.Width, decoded.Height));
            Assert.Equal(DecodedPng.Decode(chart.ToPng(400, 300)).Pixels, decoded.Pixels);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
