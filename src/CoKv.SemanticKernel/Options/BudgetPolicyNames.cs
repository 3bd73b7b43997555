using CoKv.Compression;

namespace CoKv.SemanticKernel;

/// <summary>
/// The budget policies a request may name (<c>budget_policy</c>) and options may set: the connector's view of the one
/// registry, <see cref="BudgetPolicies"/>, so every registered name and alias is accepted here too.
/// </summary>
public static class BudgetPolicyNames
{
    public const string Full = BudgetPolicies.Full;
    public const string Streaming = BudgetPolicies.Streaming;
    public const string SnapKv = BudgetPolicies.SnapKv;
    public const string Pyramid = BudgetPolicies.Pyramid;
    public const string Ada = BudgetPolicies.Ada;
    public const string Cokv = BudgetPolicies.Cokv;
    public const string Baklava = BudgetPolicies.Baklava;

    /// <summary>The canonical names (each may also be written as one of its aliases).</summary>
    public static IReadOnlyList<string> All => BudgetPolicies.Names;

    public static bool IsKnown(string? name) => BudgetPolicies.TryFind(name, out _);

    /// <summary>CoKV and BaKlaVa budgets come from per-head scores in a profile; the others from the prompt alone.</summary>
    public static bool NeedsProfile(string name) => BudgetPolicies.TryFind(name, out var policy) && policy.NeedsProfile;

    /// <summary>The canonical name of a registered name or alias; anything else trimmed and lower-cased.</summary>
    public static string Normalize(string name) => BudgetPolicies.TryFind(name, out var policy) ? policy.Name : name.Trim().ToLowerInvariant();
}
