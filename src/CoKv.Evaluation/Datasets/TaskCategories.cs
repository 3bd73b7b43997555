namespace CoKv.Datasets;

/// <summary>
/// Task types a budget profile is made for. Strings, not an enum: they are file-name parts, JSON values and
/// user-facing settings (<c>TaskType = "single-doc-qa"</c>), and users may add their own.
/// </summary>
public static class TaskCategories
{
    public const string SingleDocQa = "single-doc-qa";
    public const string MultiDocQa = "multi-doc-qa";
    public const string Summarization = "summarization";
    public const string FewShot = "few-shot";
    public const string Synthetic = "synthetic";
    public const string Code = "code";

    public static IReadOnlyList<string> All { get; } = [SingleDocQa, MultiDocQa, Summarization, FewShot, Synthetic, Code];
}
