namespace CoKv.Benchmarks;

/// <summary>What <see cref="CacheBenchmark"/> sweeps. Budgets are mean tokens per KV head.</summary>
public sealed record CacheBenchmarkOptions
{
    public required IReadOnlyList<int> Contexts { get; init; }
    public required IReadOnlyList<int> Budgets { get; init; }
    /// <summary>Policy names of BudgetPolicies.Create; "full" decodes on the dense cache itself.</summary>
    public required IReadOnlyList<string> Policies { get; init; }
    public int DecodeSteps { get; init; } = 32;
    public int ChunkSize { get; init; } = 512;
    public int Window { get; init; } = 8;
    public int Seed { get; init; } = 1;
    /// <summary>Also print where prefill and decode steps spend their time, part by part.</summary>
    public bool Breakdown { get; init; }
    /// <summary>Told (rows done, rows in all) after each row, for a progress display.</summary>
    public IProgress<(int Done, int Total)>? Progress { get; init; }
}

/// <summary>One row of the benchmark (CSV: policy,context,budget,prefill_ms,compress_ms,decode_ms_per_token,kv_bytes,kv_bytes_full,peak_rss_bytes).</summary>
public sealed record CacheBenchmarkRow(
    string Policy, int Context, int Budget, double PrefillMs, double CompressMs, double DecodeMsPerToken,
    long KvBytes, long KvBytesFull, long PeakRssBytes, long PrefillPeakRssBytes, long RssDeltaBytes)
{
    public const string CsvHeader = "policy,context,budget,prefill_ms,compress_ms,decode_ms_per_token,kv_bytes,kv_bytes_full,peak_rss_bytes";

    public string ToCsv() => string.Join(',', Policy, Context, Budget,
        PrefillMs.ToString("F1", System.Globalization.CultureInfo.InvariantCulture),
        CompressMs.ToString("F2", System.Globalization.CultureInfo.InvariantCulture),
        DecodeMsPerToken.ToString("F3", System.Globalization.CultureInfo.InvariantCulture),
        KvBytes, KvBytesFull, PeakRssBytes);
}
