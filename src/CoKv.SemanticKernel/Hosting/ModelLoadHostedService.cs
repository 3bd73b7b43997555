using Microsoft.Extensions.Hosting;

namespace CoKv.SemanticKernel.Hosting;

/// <summary>Loads a registration's model (of whichever engine) while the host starts when <see cref="CoKvOptions.LoadOnStart"/> is set.</summary>
sealed class ModelLoadHostedService(bool loadOnStart, Func<CancellationToken, Task> load) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (loadOnStart) await load(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
