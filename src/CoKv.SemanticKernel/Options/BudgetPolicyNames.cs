namespace CoKv.SemanticKernel;

/// <summary>The budget policies a request may name (<c>budget_policy</c>), and which of them need a profile.</summary>
public static class BudgetPolicyNames
{
    public const string Full = "full";
    public const string Streaming = "streaming";
    public const string SnapKv = "snapkv";
    public const string Pyramid = "pyramid";
    public const string Ada = "ada";
    public const string Cokv = "cokv";
    public const string Baklava = "baklava";

    public static IReadOnlyList<string> All { get; } = [Full, Streaming, SnapKv, Pyramid, Ada, Cokv, Baklava];

    public static bool IsKnown(string? name) => name is not null && All.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>CoKV and BaKlaVa budgets come from per-head scores in a profile; the others from the prompt alone.</summary>
    public static bool NeedsProfile(string name) =>
        string.Equals(name, Cokv, StringComparison.OrdinalIgnoreCase) || string.Equals(name, Baklava, StringComparison.OrdinalIgnoreCase);

    public static string Normalize(string name) => name.Trim().ToLowerInvariant();
}
