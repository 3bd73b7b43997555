using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CoKv.SemanticKernel.Profiling;

/// <summary>
/// Healthy when every configured profile exists, degraded while some are still being built (requests are served,
/// with the fallback policy for those task types), unhealthy when a build failed.
/// </summary>
public sealed class ProfilingHealthCheck(IProfileStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var states = status.TaskTypes;
        var data = states.ToDictionary(s => s.TaskType, s => (object)s.ToString());
        var summary = states.Count == 0 ? "no task types configured" : string.Join("; ", states);
        HealthCheckResult result;
        if (states.Any(s => s.Stage == ProfileBuildStage.Failed))
            result = new HealthCheckResult(context.Registration.FailureStatus, "Profile build failed: " + summary, data: data);
        else if (states.All(s => s.Stage == ProfileBuildStage.Ready))
            result = HealthCheckResult.Healthy("Profiles ready: " + summary, data);
        else
            result = HealthCheckResult.Degraded("Profiles not all ready (the fallback policy serves those task types): " + summary, data: data);
        return Task.FromResult(result);
    }
}
