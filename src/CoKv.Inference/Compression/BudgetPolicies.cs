using CoKv.Profiles;

namespace CoKv.Compression;

/// <summary>Policies by name (CLI, settings): full, streaming, snapkv, pyramid, ada, cokv, baklava.</summary>
public static class BudgetPolicies
{
    public static IReadOnlyList<string> Names { get; } = ["full", "streaming", "snapkv", "pyramid", "ada", "cokv", "baklava"];

    /// <summary>
    /// Makes a policy. <paramref name="profile"/> is required by cokv (Sliced Shapley values) and baklava (importances);
    /// <paramref name="parameter"/> overrides the policy's one knob: streaming's sink tokens, pyramid's β, ada's α,
    /// cokv's zero-budget fraction, baklava's strength.
    /// </summary>
    public static IBudgetPolicy Create(string name, HeadScores? profile = null, double? parameter = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        switch (name.Trim().ToLowerInvariant())
        {
            case "full": return new FullCachePolicy();
            case "streaming" or "streamingllm": return new StreamingLlmPolicy(parameter is { } sinks ? (int)sinks : 4);
            case "snapkv" or "uniform": return new SnapKvPolicy();
            case "pyramid" or "pyramidkv": return new PyramidKvPolicy(parameter ?? 20);
            case "ada" or "adasnapkv" or "ada-snapkv": return new AdaSnapKvPolicy(parameter ?? 0.2);
            case "cokv":
                return new CoKvPolicy(profile ?? throw Missing("cokv", "Sliced Shapley values"), parameter ?? CoKvPolicy.DefaultZeroFraction);
            case "baklava":
                return new BaKlaVaPolicy(profile ?? throw Missing("baklava", "head importances"), parameter ?? 1.0);
            default:
                throw new ArgumentException($"Unknown budget policy '{name}'. Known: {string.Join(", ", Names)}.", nameof(name));
        }
    }

    static ArgumentException Missing(string policy, string what) =>
        new($"The '{policy}' policy needs a profile of {what} per (layer, KV head) for this model; none was given. Run profiling first or pick another policy.", "profile");
}
