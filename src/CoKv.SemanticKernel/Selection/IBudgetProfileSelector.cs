using Microsoft.Extensions.AI;

namespace CoKv.SemanticKernel.Selection;

/// <summary>
/// Chooses a request's budget policy and profile: explicit settings → the task classifier → the configured default
/// task type → the fallback policy (Ada-SnapKV by default, which needs no profile).
/// </summary>
public interface IBudgetProfileSelector
{
    BudgetSelection Select(IReadOnlyList<ChatMessage> messages, CoKvRequestSettings settings, string modelFingerprint);
}
