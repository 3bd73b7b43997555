using CoKv.Plotting;

namespace CoKv.Tests;

/// <summary>
/// Renders one of each chart, shaped like the CLI's, to $TMPDIR/cokv-plot-examples for a person to look at;
/// the assertions only check that they decode at the requested size.
/// </summary>
public class ExampleChartTests
{
    static readonly string Folder = Path.Combine(Path.GetTempPath(), "cokv-plot-examples");

    [Fact]
    public void DecodeLatencyAgainstContext()
    {
        int[] contexts = [512, 1024, 2048, 4096, 8192, 16384];
        var chart = new LineChart
        {
            Title = "Decode latency, Llama-3.2-1B, CPU",
            XLabel = "context length (tokens)",
            YLabel = "ms / token",
            LogX2 = true,
        };
        chart.Add("full cache", contexts.Select(c => ((double)c, 18 + c * 0.0021)), dashed: true);
        foreach (var budget in new[] { 256, 512, 1024, 2048 })
            chart.Add($"budget {budget}", contexts.Select(c => ((double)c, 18.5 + Math.Min(c, budget) * 0.0021 + 0.35 * Math.Log2(c / 512.0))));
        Check(chart.ToPng(), "decode-latency.png", 900, 560);
    }

    [Fact]
    public void ScoreAgainstBudget()
    {
        double[] budgets = [64, 128, 256, 512, 1024, 2048];
        var chart = new LineChart
        {
            Title = "LongBench-style QA score by KV budget",
            XLabel = "KV budget (tokens per head)",
            YLabel = "F1 score",
            LogX2 = true,
            YMin = 0,
            YMax = 1,
        };
        chart.Add("full cache", budgets.Select(b => (b, 0.71)), dashed: true);
        chart.Add("CoKV", budgets.Select(b => (b, 0.71 - 0.45 * Math.Exp(-b / 180))));
        chart.Add("SnapKV", budgets.Select(b => (b, 0.70 - 0.52 * Math.Exp(-b / 220))));
        chart.Add("StreamingLLM", budgets.Select(b => (b, 0.69 - 0.60 * Math.Exp(-b / 600))));
        chart.Add("H2O", budgets.Select(b => (b, 0.70 - 0.55 * Math.Exp(-b / 400))));
        Check(chart.ToPng(), "score-budget.png", 900, 560);
    }

    [Fact]
    public void BudgetHeatmap()
    {
        var budgets = new double[16, 8];
        for (int layer = 0; layer < 16; layer++)
            for (int head = 0; head < 8; head++)
                budgets[layer, head] = Math.Round(64 + 900 * Math.Pow(Math.Sin((layer + 1) * 0.37 + head * 1.3) * 0.5 + 0.5, 2) * (layer < 2 ? 1.4 : 1.0));
        var heatmap = new Heatmap(budgets)
        {
            Title = "KV budget per layer and KV head",
            ColorBarLabel = "tokens",
            RowLabels = Enumerable.Range(0, 16).Select(i => $"L{i}").ToArray(),
            ColumnLabels = Enumerable.Range(0, 8).Select(i => $"H{i}").ToArray(),
        };
        Check(heatmap.ToPng(), "budget-heatmap.png", 900, 560);

        var deep = new double[32, 8];
        for (int layer = 0; layer < 32; layer++)
            for (int head = 0; head < 8; head++)
                deep[layer, head] = (layer * 7 + head * 13) % 29 / 28.0;
        Check(new Heatmap(deep) { Title = "share of budget, 32 layers" }.ToPng(), "budget-heatmap-32.png", 900, 560);
    }

    [Fact]
    public void SmallLinearChartWithNegativeValues()
    {
        var chart = new LineChart { Title = "Logit drift vs reference", XLabel = "step", YLabel = "delta", YFromZero = false };
        chart.Add("q8_0", Enumerable.Range(0, 40).Select(i => ((double)i, Math.Sin(i / 5.0) * 0.03)));
        chart.Add("f16", Enumerable.Range(0, 40).Select(i => ((double)i, Math.Cos(i / 7.0) * 0.012 - 0.01)));
        chart.ShowMarkers = false;
        Check(chart.ToPng(480, 300), "small-linear.png", 480, 300);
    }

    static void Check(byte[] png, string name, int width, int height)
    {
        Directory.CreateDirectory(Folder);
        File.WriteAllBytes(Path.Combine(Folder, name), png);
        var decoded = PngTestDecoder.Decode(png);
        Assert.Equal((width, height), (decoded.Width, decoded.Height));
    }
}
