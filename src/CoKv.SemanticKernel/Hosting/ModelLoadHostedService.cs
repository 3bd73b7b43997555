using CoKv.SemanticKernel.Engine;
using Microsoft.Extensions.Hosting;

namespace CoKv.SemanticKernel.Hosting;

/// <summary>Loads a registration's model while the host starts when <see cref="CoKvOptions.LoadOnStart"/> is set.</summary>
sealed class ModelLoadHostedService(CoKvModelHost host) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (host.Options.LoadOnStart) await host.GetModelAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
