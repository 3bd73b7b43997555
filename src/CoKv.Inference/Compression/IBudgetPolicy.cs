using static TorchSharp.torch;

namespace CoKv.Compression;

/// <summary>
/// Decides how many tokens every (layer, KV head) keeps; an <see cref="ITokenScorer"/> ranks the tokens and a shared
/// part (<see cref="TokenSelector"/>) picks which. Registered by name in <see cref="BudgetPolicies"/>.
/// Budgets count every kept token, the observation window included. Policies that read a profile take its
/// <see cref="CoKv.Profiles.HeadScores"/> in their constructor.
/// </summary>
public interface IBudgetPolicy
{
    /// <summary>Short name, as in <see cref="BudgetPolicies.Create"/> and the compression report.</summary>
    string Name { get; }

    /// <summary>True when <see cref="Allocate"/> reads <see cref="BudgetContext.TokenScores"/> (Ada-KV).</summary>
    bool NeedsTokenScores { get; }

    /// <summary>Tokens per (layer, KV head), row-major (layer * KvHeads + head); the compressor clamps to [w, T].</summary>
    int[] Allocate(BudgetContext context);
}

/// <summary>
/// What a policy may look at. Budgets of every policy but the full cache add up to <c>Players · MeanBudget</c> (within
/// rounding, before clamping to the prompt length). TokenScores: per layer [kvHeads, T − w] when the policy asked for them.
/// </summary>
public sealed record BudgetContext(int PromptLength, int Layers, int KvHeads, int MeanBudget, int Window, IReadOnlyList<Tensor>? TokenScores = null)
{
    /// <summary>N = Layers · KvHeads: the players of CoKV's game.</summary>
    public int Players => Layers * KvHeads;

    /// <summary>Prefix tokens a head may keep beside the window.</summary>
    public int Prefix => Math.Max(0, PromptLength - Window);
}
