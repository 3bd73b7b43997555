using System.Globalization;
using CoKv.Compression;

namespace CoKv.Generation;

/// <summary>
/// Every limit on a generation setting, written once. The engine's <see cref="LocalModelOptions"/>,
/// <see cref="SamplingOptions"/> and requests, the connector's options and its per-request settings all check through
/// these rules, each passing the name its user writes the setting under. A rule returns the problem, or null.
/// </summary>
public static class OptionRules
{
    public static string? Temperature(string name, double? value) =>
        value is { } t && (t < 0 || !double.IsFinite(t)) ? Problem(name, "must be ≥ 0", t) : null;

    public static string? TopP(string name, double? value) => value is <= 0 or > 1 ? Problem(name, "must be in (0, 1]", value) : null;

    public static string? TopK(string name, int? value) => value is < 0 ? Problem(name, "must be ≥ 0", value) : null;

    public static string? RepetitionPenalty(string name, double? value) => value is <= 0 ? Problem(name, "must be > 0", value) : null;

    /// <summary>A token limit a user sets (unset: until a stop or a full context).</summary>
    public static string? MaxTokens(string name, int? value) => value is <= 0 ? Problem(name, "must be > 0", value) : null;

    /// <summary>The engine's own token limit: 0 is allowed (prefill only).</summary>
    public static string? MaxNewTokens(string name, int? value) => value is < 0 ? Problem(name, "must be ≥ 0", value) : null;

    public static string? Budget(string name, int? value) => value is <= 0 ? Problem(name, "must be > 0 tokens per KV head", value) : null;

    public static string? Window(string name, int? value) => value is < 1 ? Problem(name, "must be ≥ 1 (the observation window)", value) : null;

    public static string? Lookahead(string name, int? value) =>
        value is < 0 or > Compression.SnapKvOptions.MaxLookahead ? Problem(name, $"must lie in [0, {Compression.SnapKvOptions.MaxLookahead}] (answer tokens decoded before compressing)", value) : null;

    public static string? Threads(string name, int? value) => value is < 1 ? Problem(name, "must be ≥ 1", value) : null;

    public static string? ContextLength(string name, int? value) => value is < 1 ? Problem(name, "must be ≥ 1", value) : null;

    public static string? PrefillChunkSize(string name, int? value) => value is < 1 ? Problem(name, "must be ≥ 1", value) : null;

    public static string? MaxQueuedRequests(string name, int? value) =>
        value is < 1 ? Problem(name, "must be ≥ 1 (at least one request must be able to wait)", value) : null;

    public static string? SessionCacheCount(string name, int? value) => value is < 0 ? Problem(name, "must be ≥ 0", value) : null;

    /// <summary>A budget policy name: any name or alias of <see cref="BudgetPolicies"/> (unset: the default applies).</summary>
    public static string? Policy(string name, string? value) =>
        value is null || BudgetPolicies.TryFind(value, out _) ? null : $"{name} '{value}' is not one of {string.Join(", ", BudgetPolicies.Names)}.";

    /// <summary>The method profiles are built with: one of the policies that read a profile.</summary>
    public static string? ProfileMethod(string name, string? value) =>
        BudgetPolicies.TryFind(value, out var policy) && policy.NeedsProfile ? null
        : $"{name} '{value}' must be {string.Join(" or ", BudgetPolicies.All.Where(p => p.NeedsProfile).Select(p => $"'{p.Name}'"))}.";

    /// <summary>M, the draws per coalition size of a CoKV profile.</summary>
    public static string? SamplesPerSize(string name, int? value) => value is < 1 ? Problem(name, "must be ≥ 1 (draws per coalition size)", value) : null;

    /// <summary>How a CoKV profile draws its coalitions: "stratified" or "independent" (any case).</summary>
    public static string? CoalitionDesign(string name, string? value) =>
        Enum.TryParse<Shapley.CoalitionDesign>(value, ignoreCase: true, out var d) && Enum.IsDefined(d) && !int.TryParse(value, out _) ? null
        : $"{name} '{value}' must be {string.Join(" or ", Enum.GetNames<Shapley.CoalitionDesign>().Select(n => $"'{n.ToLowerInvariant()}'"))}.";

    /// <summary>What a profile's coalitions are scored by: one of <see cref="Profiling.ProfileUtilities"/>.</summary>
    public static string? ProfileUtility(string name, string? value) =>
        value is not null && Profiling.ProfileUtilities.Names.Contains(value) ? null
        : $"{name} '{value}' must be {string.Join(", ", Profiling.ProfileUtilities.Names.Select(n => $"'{n}'"))}.";

    /// <summary>H, the coalition sizes of a CoKV profile: unset, or positive sizes.</summary>
    public static string? CoalitionSizes(string name, IReadOnlyCollection<int>? value) =>
        value is { } sizes && (sizes.Count == 0 || sizes.Any(s => s < 1)) ? $"{name} must be positive sizes (or unset)." : null;

    /// <summary>The problems among rule results (the nulls dropped), in order.</summary>
    public static IReadOnlyList<string> Problems(params string?[] results) => results.OfType<string>().ToArray();

    /// <summary>Throws the first problem, if any, as an <see cref="ArgumentOutOfRangeException"/>.</summary>
    public static void ThrowIfAny(params string?[] results)
    {
        if (Problems(results) is [var first, ..]) throw new ArgumentOutOfRangeException(null, first);
    }

    static string Problem(string name, string rule, object? value) =>
        string.Create(CultureInfo.InvariantCulture, $"{name} {rule}, not {value}.");
}
