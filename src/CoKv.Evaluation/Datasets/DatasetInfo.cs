namespace CoKv.Datasets;

/// <summary>
/// How a dataset is prompted and scored.
/// </summary>
/// <param name="PromptTemplate">Text with <c>{context}</c> and <c>{input}</c> placeholders.</param>
/// <param name="MaxNewTokens">Generation length cap used when evaluating.</param>
/// <param name="Metric">A name in <see cref="Metrics.MetricRegistry"/>.</param>
/// <param name="FirstLineOnly">LongBench scores only the first line of the prediction for few-shot datasets, whose
/// models otherwise go on to invent the next example.</param>
public sealed record DatasetInfo(
    string Name,
    string Category,
    string PromptTemplate,
    int MaxNewTokens,
    string Metric,
    bool FirstLineOnly = false)
{
    /// <summary>Fills the template in one pass: neither string.Format (code contexts contain braces) nor chained
    /// Replace (a context that contains "{input}" would be rewritten).</summary>
    public string FormatPrompt(string context, string input)
    {
        var sb = new System.Text.StringBuilder(PromptTemplate.Length + context.Length + input.Length);
        var i = 0;
        while (i < PromptTemplate.Length)
        {
            if (string.CompareOrdinal(PromptTemplate, i, "{context}", 0, 9) == 0) { sb.Append(context); i += 9; }
            else if (string.CompareOrdinal(PromptTemplate, i, "{input}", 0, 7) == 0) { sb.Append(input); i += 7; }
            else sb.Append(PromptTemplate[i++]);
        }
        return sb.ToString();
    }

    public string FormatPrompt(TaskSample sample) => FormatPrompt(sample.Context, sample.Input);
}
