using Microsoft.Extensions.AI;

namespace CoKv.SemanticKernel.Selection;

/// <summary>A task type recognised in a request, and the rule (or model) that recognised it.</summary>
public sealed record TaskClassification(string TaskType, string Rule);

/// <summary>Puts a request into a task type so that its profile can be used. Pluggable: register your own.</summary>
public interface ITaskClassifier
{
    /// <summary>The task type, or null when nothing is recognised.</summary>
    TaskClassification? Classify(IReadOnlyList<ChatMessage> messages);
}
