namespace CoKv.Datasets;

/// <summary>
/// One evaluation item: a long context, a question or instruction, and the reference answers. The same shape serves
/// LongBench items and the synthetic generators, so one loader, one scorer and one profiler handle both.
/// </summary>
/// <param name="Id">Unique within its dataset (LongBench's <c>_id</c>).</param>
/// <param name="Dataset">Dataset name, a key of <see cref="DatasetCatalog"/> (e.g. "hotpotqa", "niah_single").</param>
/// <param name="Category">Task category, one of <see cref="TaskCategories"/>; profiles are made per category.</param>
/// <param name="AllClasses">Label set for classification datasets (trec); null elsewhere.</param>
/// <param name="Length">LongBench: the context's word count; synthetic: the prompt's token count.</param>
public sealed record TaskSample(
    string Id,
    string Dataset,
    string Category,
    string Context,
    string Input,
    IReadOnlyList<string> Answers,
    IReadOnlyList<string>? AllClasses,
    int Length,
    string Language = "en");
