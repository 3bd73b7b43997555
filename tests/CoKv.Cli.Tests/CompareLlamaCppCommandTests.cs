using System.Globalization;
using System.Text.RegularExpressions;

namespace CoKv.Cli.Tests;

public class CompareLlamaCppCommandTests
{
    static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Prints_the_ratio_line_with_numbers_that_follow_from_its_table()
    {
        var run = (await Cli.Run("compare-llamacpp", "--model", TinyModels.Stories260KGguf, "--threads", "1",
            "--prompt-tokens", "32", "--decode-tokens", "16", "--repeats", "1", "--policy", "ada", "--budget", "16")).Succeeded();

        var ratio = Regex.Match(run.Out, @"ratio ours/llama\.cpp: prefill (\d+\.\d+), decode (\d+\.\d+)");
        Assert.True(ratio.Success, run.Out);
        var (prefillRatio, decodeRatio) = (Number(ratio.Groups[1].Value), Number(ratio.Groups[2].Value));
        Assert.True(prefillRatio > 0 && decodeRatio > 0, ratio.Value);

        // The rows the ratios come from: engine, prefill tok/s, decode tok/s.
        (double Prefill, double Decode) Row(string engine)
        {
            var m = Regex.Match(run.Out, $@"^{Regex.Escape(engine)}\s+(\d+\.\d)\s+(\d+\.\d)(\s+\(look-ahead of \d+ and compression \d+ ms\))?\s*$", RegexOptions.Multiline);
            Assert.True(m.Success, $"no '{engine}' row in\n{run.Out}");
            return (Number(m.Groups[1].Value), Number(m.Groups[2].Value));
        }
        var ours = Row("ours, full cache");
        var compressed = Row("ours, ada B=16");
        var theirs = Row("llama.cpp, full cache");
        Assert.True(ours.Prefill > 0 && ours.Decode > 0 && theirs.Prefill > 0 && theirs.Decode > 0, run.Out);
        Assert.True(compressed.Decode > 0, run.Out);
        // The table rounds to 0.1 tok/s and the ratio to 0.01: they agree within that rounding. With --policy the
        // decode ratio is the compressed cache's against llama.cpp's full cache (the question a user asks).
        Assert.InRange(prefillRatio, (ours.Prefill - 0.05) / (theirs.Prefill + 0.05) - 0.005, (ours.Prefill + 0.05) / (theirs.Prefill - 0.05) + 0.005);
        Assert.InRange(decodeRatio, (compressed.Decode - 0.05) / (theirs.Decode + 0.05) - 0.005, (compressed.Decode + 0.05) / (theirs.Decode - 0.05) + 0.005);

        // Both engines run the same f32 model greedily: they pick the same tokens.
        Assert.Contains("greedy tokens agree for the first 16 of 16", run.Out);
    }
}
