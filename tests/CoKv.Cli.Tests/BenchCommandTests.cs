using System.Globalization;
using CoKv.Cache;
using CoKv.Compression;
using CoKv.Generation;
using CoKv.Models;
using CoKv.Tests;

namespace CoKv.Cli.Tests;

public class BenchCommandTests
{
    static readonly int[] Contexts = [64, 128];
    static readonly int[] Budgets = [16, 32];
    static readonly string[] Policies = ["snapkv", "ada", "pyramid", "streaming"];

    sealed record Row(string Policy, int Context, int Budget, long KvBytes, long KvBytesFull);

    static async Task<(CliRun Run, Row[] Rows)> Bench(string dtype)
    {
        var csv = Path.Combine(TestPaths.TempDir("cli-bench"), "bench.csv");
        var run = (await Cli.Run("bench", "--model", TinyModels.Stories260KGguf, "--contexts", string.Join(',', Contexts),
            "--budgets", string.Join(',', Budgets), "--policies", "full," + string.Join(',', Policies), "--decode-steps", "2",
            "--threads", "1", "--dtype", dtype, "--csv", csv)).Succeeded();
        var lines = File.ReadAllLines(csv);
        Assert.Equal("policy,context,budget,prefill_ms,compress_ms,decode_ms_per_token,kv_bytes,kv_bytes_full,peak_rss_bytes", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(','))
            .Select(f => new Row(f[0], int.Parse(f[1], CultureInfo.InvariantCulture), int.Parse(f[2], CultureInfo.InvariantCulture),
                long.Parse(f[6], CultureInfo.InvariantCulture), long.Parse(f[7], CultureInfo.InvariantCulture)))
            .ToArray();
        return (run, rows);
    }

    [Theory]
    [InlineData("f32", 4)]
    [InlineData("bf16", 2)]
    public async Task Byte_counts_are_what_a_cache_of_the_kept_tokens_holds(string dtype, int bytesPerValue)
    {
        var (run, rows) = await Bench(dtype);
        using var bundle = ModelFiles.Open(TinyModels.Stories260KGguf);
        var c = bundle.Config;
        // K and V, head_dim values each, per kept token per (layer, KV head).
        long perToken = 2L * c.HeadDim * bytesPerValue;
        long Bytes(int tokensPerHead) => (long)c.LayerCount * c.KvHeadCount * tokensPerHead * perToken;

        Assert.Equal(Contexts.Length * (1 + Budgets.Length * Policies.Length), rows.Length);
        foreach (var context in Contexts)
        {
            var full = Assert.Single(rows, r => r.Policy == "full" && r.Context == context);
            Assert.Equal((context, Bytes(context), Bytes(context)), (full.Budget, full.KvBytes, full.KvBytesFull));
            foreach (var policy in Policies)
                foreach (var budget in Budgets)
                {
                    var row = Assert.Single(rows, r => r.Policy == policy && r.Context == context && r.Budget == budget);
                    // Every policy spends the mean budget over the heads: budget × heads tokens in all.
                    Assert.Equal(Bytes(budget), row.KvBytes);
                    Assert.Equal(Bytes(context), row.KvBytesFull);
                }
        }

        // The printed table says the same, in MiB and percent.
        var table = run.Lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length == 10 && (f[0] == "full" || Policies.Contains(f[0]))).ToArray();
        Assert.Equal(rows.Length, table.Length);
        foreach (var f in table)
        {
            var row = Assert.Single(rows, r => r.Policy == f[0] && r.Context == int.Parse(f[1], CultureInfo.InvariantCulture) && r.Budget == int.Parse(f[2], CultureInfo.InvariantCulture));
            Assert.Equal((row.KvBytes / 1048576.0).ToString("F2", CultureInfo.InvariantCulture), f[6]);
            Assert.Equal((row.KvBytesFull / 1048576.0).ToString("F2", CultureInfo.InvariantCulture), f[7]);
            Assert.Equal((100.0 * row.KvBytes / row.KvBytesFull).ToString("F2", CultureInfo.InvariantCulture), f[8]);
        }
    }

    [Fact]
    public void The_byte_formula_is_what_the_engines_compressed_cache_reports()
    {
        // The formula above, against a real compressed cache: SnapKV at budget 16 over a 64-token prompt.
        using var model = LocalModel.Load(TinyModels.Stories260KGguf, new LocalModelOptions { Threads = 1 });
        var c = model.Config;
        var prompt = model.Tokenizer.Encode(string.Join(' ', Enumerable.Repeat("Once upon a time there was a cat.", 8))).Take(64).ToArray();
        Assert.Equal(64, prompt.Length);
        using var session = new InferenceSession(model.Decoder, prompt.Length, observationWindow: 8);
        session.Prefill(prompt).Dispose();
        Assert.Equal((long)c.LayerCount * c.KvHeadCount * 64 * 2 * c.HeadDim * 4, session.Cache.KeptBytes);
        var outcome = BudgetPolicies.Compressor("snapkv", 16, options: new SnapKvOptions { Window = 8 }, reserve: 0)
            .Compress((DenseKvCache)session.Cache);
        using var compressed = outcome.Cache;
        Assert.All(outcome.Report.TokensPerHead, n => Assert.Equal(16, n));
        Assert.Equal((long)c.LayerCount * c.KvHeadCount * 16 * 2 * c.HeadDim * 4, compressed.KeptBytes);
    }
}
