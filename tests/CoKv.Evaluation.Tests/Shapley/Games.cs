using CoKv.Common;

namespace CoKv.Evaluation.Tests.Shapley;

/// <summary>Cooperative games with known Shapley values.</summary>
static class Games
{
    /// <summary>v(S) = Σ_{i∈S} w_i: the Shapley value of i is w_i.</summary>
    public static Func<IReadOnlySet<int>, double> Additive(double[] w) => s => s.Sum(i => w[i]);

    /// <summary>v(S) = 1 when the weights in S reach the quota.</summary>
    public static Func<IReadOnlySet<int>, double> WeightedVoting(int[] w, int quota) => s => s.Sum(i => w[i]) >= quota ? 1 : 0;

    public static double[] RandomWeights(int n, long seed)
    {
        var rng = new SeededRandom(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
    }

    public static int[] RandomIntWeights(int n, long seed, int max)
    {
        var rng = new SeededRandom(seed);
        return Enumerable.Range(0, n).Select(_ => rng.Next(1, max + 1)).ToArray();
    }
}

/// <summary>Counts calls and cancels its token after a given number of them: a run interrupted mid-way.</summary>
sealed class InterruptingUtility(Func<IReadOnlySet<int>, double> game, int cancelAfter, CancellationTokenSource cts) : CoKv.Shapley.ICoalitionUtility
{
    int _calls;
    public int Calls => _calls;

    public Task<double> EvaluateAsync(IReadOnlySet<int> coalition, CancellationToken ct)
    {
        if (Interlocked.Increment(ref _calls) > cancelAfter) cts.Cancel();
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(game(coalition));
    }
}

sealed class CountingUtility(Func<IReadOnlySet<int>, double> game) : CoKv.Shapley.ICoalitionUtility
{
    int _calls;
    public int Calls => _calls;

    public async Task<double> EvaluateAsync(IReadOnlySet<int> coalition, CancellationToken ct)
    {
        Interlocked.Increment(ref _calls);
        // Yield so parallel runs really interleave.
        await Task.Yield();
        return game(coalition);
    }
}
