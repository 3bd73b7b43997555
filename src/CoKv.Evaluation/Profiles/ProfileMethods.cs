namespace CoKv.Profiles;

/// <summary>How a profile's scores were made.</summary>
public static class ProfileMethods
{
    /// <summary>Sliced Shapley values over KV heads (CoKV).</summary>
    public const string Cokv = "cokv";
    /// <summary>Per-head importance from one profiling pass (BaKlaVa-style).</summary>
    public const string Baklava = "baklava";

    public static IReadOnlyList<string> All { get; } = [Cokv, Baklava];
}
