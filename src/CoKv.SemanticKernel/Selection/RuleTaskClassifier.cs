using System.Text.RegularExpressions;
using CoKv.Datasets;
using Microsoft.Extensions.AI;

namespace CoKv.SemanticKernel.Selection;

/// <summary>
/// A transparent classifier over the last user message: a handful of rules tried in order, the first that fires wins,
/// and its name goes into the response metadata so a user can see why. Deliberately simple: a wrong guess costs
/// only a less suited profile, and a user who knows better sets task_type.
/// </summary>
public sealed partial class RuleTaskClassifier : ITaskClassifier
{
    /// <summary>A message at least this long counts as carrying a document.</summary>
    public int LongDocumentChars { get; init; } = 1500;

    public TaskClassification? Classify(IReadOnlyList<ChatMessage> messages)
    {
        var text = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text;
        if (string.IsNullOrWhiteSpace(text)) return null;

        if (SummarizeWords().IsMatch(text)) return new(TaskCategories.Summarization, "asks for a summary");
        if (text.Contains("```", StringComparison.Ordinal) || CodeLines().Count(text) >= 2)
            return new(TaskCategories.Code, "contains code");
        if (ExampleLines().Count(text) >= 2) return new(TaskCategories.FewShot, "contains several worked examples");
        if (DocumentHeaders().Count(text) >= 2) return new(TaskCategories.MultiDocQa, "contains several numbered documents");
        if (text.Length >= LongDocumentChars && (text.Contains('?') || QuestionWords().IsMatch(text)))
            return new(TaskCategories.SingleDocQa, "a question over a long document");
        return null;
    }

    [GeneratedRegex(@"\b(summari[sz]e|summari[sz]ation|summary|tl;?dr|sum up)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SummarizeWords();

    [GeneratedRegex(@"^\s*(def |class |import |from \S+ import |#include|public |private |static |function |return |for \(|if \(|while \(|\}|.*\)\s*\{\s*$|.*;\s*$)",
        RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex CodeLines();

    [GeneratedRegex(@"^\s*(A|Answer|Output|Label|Type)\s*:", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ExampleLines();

    [GeneratedRegex(@"^\s*(\[\d+\]|(Document|Passage|Doc|Source|Article)\s*#?\d+\s*[:.\]])", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DocumentHeaders();

    [GeneratedRegex(@"\b(what|who|when|where|which|why|how)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex QuestionWords();
}
