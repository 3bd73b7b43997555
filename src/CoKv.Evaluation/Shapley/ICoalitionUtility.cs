namespace CoKv.Shapley;

/// <summary>
/// The game's value function U(S): for CoKV, the task metric on the validation split when the KV heads in S keep
/// their full cache and the others only the observation window. Must be deterministic for a given coalition, or
/// resumed and sharded runs cannot reproduce a single run.
/// </summary>
public interface ICoalitionUtility
{
    Task<double> EvaluateAsync(IReadOnlySet<int> coalition, CancellationToken ct);
}

/// <summary>Adapts a synchronous function (tests, closed-form games).</summary>
public sealed class DelegateUtility(Func<IReadOnlySet<int>, double> utility) : ICoalitionUtility
{
    public Task<double> EvaluateAsync(IReadOnlySet<int> coalition, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(utility(coalition));
    }
}
