using CoKv.Profiles;

namespace CoKv.Compression;

/// <summary>
/// A budget policy the registry can make. <paramref name="Profile"/>: what per-head profile it reads (null: none).
/// <paramref name="Scorer"/>: the <see cref="TokenScorers"/> name it ranks tokens with by default.
/// <paramref name="Parameter"/>: what the method's one knob means (null: it has none).
/// </summary>
public sealed record BudgetPolicyInfo(string Name, IReadOnlyList<string> Aliases, string Scorer, string? Profile, string? Parameter,
    Func<HeadScores?, double?, IBudgetPolicy> Create)
{
    /// <summary>CoKV and BaKlaVa budgets come from per-head scores in a profile; the others from the prompt alone.</summary>
    public bool NeedsProfile => Profile is not null;

    public bool Answers(string name) =>
        string.Equals(Name, name, StringComparison.OrdinalIgnoreCase) || Aliases.Contains(name, StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// The one list of budget policies, read by the connector (request and option names), the CLI, eval and bench.
/// Adding a policy: its class, and one line in <see cref="All"/>.
/// </summary>
public static class BudgetPolicies
{
    public const string Full = "full";
    public const string Streaming = "streaming";
    public const string SnapKv = "snapkv";
    public const string Pyramid = "pyramid";
    public const string Ada = "ada";
    public const string Cokv = "cokv";
    public const string Baklava = "baklava";

    public static IReadOnlyList<BudgetPolicyInfo> All { get; } =
    [
        new(Full, [], TokenScorers.None, null, null, (_, _) => new FullCachePolicy()),
        new(Streaming, ["streamingllm"], TokenScorers.SinksAndRecent, null, "sink tokens (4)", (_, _) => new StreamingLlmPolicy()),
        new(SnapKv, ["uniform"], TokenScorers.SnapKv, null, null, (_, _) => new SnapKvPolicy()),
        new(Pyramid, ["pyramidkv"], TokenScorers.SnapKv, null, "β (20)", (_, p) => new PyramidKvPolicy(p ?? 20)),
        new(Ada, ["adasnapkv", "ada-snapkv"], TokenScorers.SnapKv, null, "α (0.2)", (_, p) => new AdaSnapKvPolicy(p ?? 0.2)),
        new(Cokv, [], TokenScorers.SnapKv, "Sliced Shapley values", "zero-budget fraction (0.25)",
            (profile, p) => new CoKvPolicy(profile!, p ?? CoKvPolicy.DefaultZeroFraction)),
        new(Baklava, [], TokenScorers.SnapKv, "head importances", "strength (1)", (profile, p) => new BaKlaVaPolicy(profile!, p ?? 1.0)),
    ];

    /// <summary>The canonical names, in the order of <see cref="All"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(p => p.Name).ToArray();

    /// <summary>Every name a user may write: the canonical names and their aliases.</summary>
    public static IReadOnlyList<string> NamesAndAliases { get; } = All.SelectMany(p => p.Aliases.Prepend(p.Name)).ToArray();

    /// <summary>The entry a name or alias (any case, surrounding blanks ignored) stands for.</summary>
    public static bool TryFind(string? name, out BudgetPolicyInfo policy)
    {
        var key = name?.Trim();
        policy = key is null ? null! : All.FirstOrDefault(p => p.Answers(key))!;
        return policy is not null;
    }

    public static BudgetPolicyInfo Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryFind(name, out var policy) ? policy
            : throw new ArgumentException($"Unknown budget policy '{name}'. Known: {string.Join(", ", Names)} (aliases: {string.Join(", ", All.SelectMany(p => p.Aliases))}).", nameof(name));
    }

    /// <summary>
    /// Makes a policy. <paramref name="profile"/> is required by cokv (Sliced Shapley values) and baklava (importances);
    /// <paramref name="parameter"/> overrides the policy's one knob: pyramid's β, ada's α, cokv's zero-budget fraction,
    /// baklava's strength (streaming's sink tokens belong to its scorer: see <see cref="Compressor"/>).
    /// </summary>
    public static IBudgetPolicy Create(string name, HeadScores? profile = null, double? parameter = null)
    {
        var entry = Find(name);
        if (entry.NeedsProfile && profile is null) throw Missing(entry);
        return entry.Create(profile, parameter);
    }

    /// <summary>
    /// The policy with its default scorer (or <paramref name="scorer"/>, a <see cref="TokenScorers"/> name), SnapKV's
    /// options giving the window. <paramref name="parameter"/> goes to the policy and to its default scorer, each using it
    /// where it has that knob; a scorer named in <paramref name="scorer"/> keeps its own defaults.
    /// </summary>
    public static HeadBudgetCompressor Compressor(string name, int meanBudget, HeadScores? profile = null, double? parameter = null,
        SnapKvOptions? options = null, int reserve = 256, string? profileName = null, string? scorer = null)
    {
        options ??= new SnapKvOptions();
        var policy = Create(name, profile, parameter);
        var tokenScorer = scorer is null ? TokenScorers.Create(Find(name).Scorer, options, parameter) : TokenScorers.Create(scorer, options);
        return new HeadBudgetCompressor(policy, tokenScorer, meanBudget, options.Window, reserve, profileName);
    }

    static ArgumentException Missing(BudgetPolicyInfo policy) =>
        new($"The '{policy.Name}' policy needs a profile of {policy.Profile} per (layer, KV head) for this model; none was given. Run profiling first or pick another policy.", "profile");
}
