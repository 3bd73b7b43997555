using CoKv.Profiles;

namespace CoKv.Profiling;

/// <summary>The <see cref="IProfileBuilder"/> for any method: "cokv" goes to <see cref="ShapleyProfileBuilder"/>,
/// "baklava" to <see cref="BaKlaVaProfiler"/>.</summary>
public sealed class ProfileBuilder(ProfilingModel model, ShapleyBuildOptions? shapley = null, BaKlaVaOptions? baklava = null) : IProfileBuilder
{
    readonly ShapleyProfileBuilder _cokv = new(model, shapley);
    readonly BaKlaVaProfiler _baklava = new(model, baklava);

    public Task<BudgetProfile> BuildAsync(ProfileBuildRequest request, IProgress<ProfileProgress>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Method switch
        {
            ProfileMethods.Cokv => _cokv.BuildAsync(request, progress, cancellation),
            ProfileMethods.Baklava => _baklava.BuildAsync(request, progress, cancellation),
            _ => throw new ArgumentException($"Unknown profiling method '{request.Method}'. Known: {string.Join(", ", ProfileMethods.All)}.", nameof(request)),
        };
    }
}
