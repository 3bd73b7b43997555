using CoKv.Compression;
using CoKv.SemanticKernel.Selection;

namespace CoKv.SemanticKernel.Engine;

/// <summary>Makes the compressor a request's budget selection asks for (null: keep the full cache).</summary>
public interface ICacheCompressorFactory
{
    /// <param name="reserveTokens">Room each head keeps for the tokens still to be generated.</param>
    ICacheCompressor? Create(BudgetSelection selection, int reserveTokens);
}

/// <summary>The selected policy with its default token scorer (<see cref="BudgetPolicies.Compressor"/>).</summary>
public sealed class CacheCompressorFactory : ICacheCompressorFactory
{
    public ICacheCompressor? Create(BudgetSelection selection, int reserveTokens)
    {
        // The full cache needs no scoring pass at all.
        if (selection.Policy == BudgetPolicyNames.Full) return null;
        var profileName = selection.ProfilePath is { } path ? Path.GetFileName(path) : null;
        return BudgetPolicies.Compressor(selection.Policy, selection.Budget, selection.Profile?.Scores,
            options: new SnapKvOptions { Window = selection.Window, Lookahead = selection.Lookahead }, reserve: Math.Max(0, reserveTokens), profileName: profileName);
    }
}
