using CoKv.Profiles;
using CoKv.Profiling;
using CoKv.SemanticKernel.Engine;

namespace CoKv.SemanticKernel.Profiling;

/// <summary>
/// The default <see cref="IProfileBuilder"/>: the engine's <see cref="ProfileBuilder"/> (Sliced Shapley or BaKlaVa)
/// over the registration's model, which it waits for rather than loading a second copy.
/// </summary>
public sealed class HostedModelProfileBuilder(CoKvModelHost host) : IProfileBuilder
{
    readonly SemaphoreSlim _gate = new(1, 1);
    ProfileBuilder? _builder;

    public async Task<BudgetProfile> BuildAsync(ProfileBuildRequest request, IProgress<ProfileProgress>? progress, CancellationToken cancellation)
    {
        if (_builder is null)
        {
            await _gate.WaitAsync(cancellation).ConfigureAwait(false);
            try
            {
                _builder ??= new ProfileBuilder(ProfilingModel.From(await host.GetModelAsync(cancellation).ConfigureAwait(false)));
            }
            finally
            {
                _gate.Release();
            }
        }
        return await _builder.BuildAsync(request, progress, cancellation).ConfigureAwait(false);
    }
}
