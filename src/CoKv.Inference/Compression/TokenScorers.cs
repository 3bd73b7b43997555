namespace CoKv.Compression;

/// <summary>
/// A token scorer the registry can make: its name, what it ranks by, and how to make it from the SnapKV options and the
/// method's one knob (<c>parameter</c>, which a scorer without a knob ignores).
/// </summary>
public sealed record TokenScorerInfo(string Name, string Description, Func<SnapKvOptions, double?, ITokenScorer> Create);

/// <summary>Token scorers by name. Adding one: its class, and one line in <see cref="All"/>.</summary>
public static class TokenScorers
{
    public const string SnapKv = "snapkv";
    public const string SinksAndRecent = "sinks-recent";
    public const string None = "none";
    public const string PromptAttention = "prompt-attention";

    public static IReadOnlyList<TokenScorerInfo> All { get; } =
    [
        new(SnapKv, "the observation window's attention, pooled (SnapKV)", (options, _) => new SnapKvScorer(options)),
        new(SinksAndRecent, "attention sinks, then the most recent tokens (StreamingLLM)",
            (_, sinks) => new SinksAndRecentScorer(sinks is { } s ? (int)s : SinksAndRecentScorer.DefaultSinkTokens)),
        new(PromptAttention, "the attention the prompt's own tokens (every S-th) pay to each position beyond their neighbours (H2O-like)",
            (options, stride) => new PromptAttentionScorer(stride is { } s ? (int)s : options.PromptQueryStride, options.PromptQueryBand, options.PromptQueryAggregate)),
        new(None, "no ranking: for policies that keep whole prompts", (_, _) => new NoTokenScorer()),
    ];

    public static IReadOnlyList<string> Names { get; } = All.Select(s => s.Name).ToArray();

    public static TokenScorerInfo Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = name.Trim();
        return All.FirstOrDefault(s => string.Equals(s.Name, key, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown token scorer '{name}'. Known: {string.Join(", ", Names)}.", nameof(name));
    }

    /// <param name="parameter">The scorer's knob where it has one (sinks-recent: sink tokens).</param>
    public static ITokenScorer Create(string name, SnapKvOptions? options = null, double? parameter = null) =>
        Find(name).Create(options ?? new SnapKvOptions(), parameter);
}
