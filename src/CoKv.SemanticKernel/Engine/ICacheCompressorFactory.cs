using CoKv.Compression;
using CoKv.SemanticKernel.Selection;

namespace CoKv.SemanticKernel.Engine;

/// <summary>Makes the compressor a request's budget selection asks for (null: keep the full cache).</summary>
public interface ICacheCompressorFactory
{
    /// <param name="reserveTokens">Room each head keeps for the tokens still to be generated.</param>
    ICacheCompressor? Create(BudgetSelection selection, int reserveTokens);
}

/// <summary>SnapKV scoring with the selected policy's budgets (the engine's <see cref="SnapKvCompressor"/>).</summary>
public sealed class SnapKvCompressorFactory : ICacheCompressorFactory
{
    public ICacheCompressor? Create(BudgetSelection selection, int reserveTokens)
    {
        // The full cache needs no scoring pass at all.
        if (selection.Policy == BudgetPolicyNames.Full) return null;
        var policy = BudgetPolicies.Create(selection.Policy, selection.Profile?.Scores);
        var profileName = selection.ProfilePath is { } path ? Path.GetFileName(path) : null;
        return new SnapKvCompressor(policy, selection.Budget, new SnapKvOptions { Window = selection.Window }, Math.Max(0, reserveTokens), profileName);
    }
}
