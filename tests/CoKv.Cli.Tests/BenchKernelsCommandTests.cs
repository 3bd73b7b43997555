using CoKv.Cli.Benchmarks;
using CoKv.Gguf;

namespace CoKv.Cli.Tests;

/// <summary>
/// Our int8 block kernels give ggml's own vec_dot results on blocks ggml quantized (the same integer arithmetic; only
/// the float summation order differs), and <c>cokv bench-kernels</c> prints a row per type (no speed asserted).
/// </summary>
public class BenchKernelsCommandTests
{
    [Theory]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q4_0)]
    [InlineData(GgmlType.Q4_1)]
    [InlineData(GgmlType.Q5_0)]
    [InlineData(GgmlType.Q5_1)]
    [InlineData(GgmlType.Q4_K)]
    [InlineData(GgmlType.Q5_K)]
    [InlineData(GgmlType.Q6_K)]
    [InlineData(GgmlType.IQ4_NL)]
    [InlineData(GgmlType.IQ4_XS)]
    public void Our_kernels_equal_ggmls_on_the_same_blocks(GgmlType type)
    {
        var timing = KernelBenchmark.Run(type, rows: 48, columns: 768, repeats: 1, seed: (int)type, warmUp: false);
        Assert.InRange(timing.MaxRelativeDifference, 0, 1e-5);
    }

    [Fact]
    public async Task Prints_a_row_per_type_with_its_ratio()
    {
        var run = (await Cli.Run("bench-kernels", "--types", "Q4_K,q8_0", "--rows", "16", "--columns", "512", "--repeats", "1")).Succeeded();
        Assert.Contains(run.Lines, l => l.StartsWith("Q4_K ", StringComparison.Ordinal));
        Assert.Contains(run.Lines, l => l.StartsWith("Q8_0 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_type_is_named_in_the_error()
    {
        var run = await Cli.Run("bench-kernels", "--types", "Q9_Z");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("Q9_Z", run.Error);
    }
}
