using CoKv.Datasets;
using CoKv.Metrics;

namespace CoKv.Profiling;

/// <summary>
/// A sample as the model sees it: prompt tokens, the gold answer's tokens (teacher-forced by the log-likelihood
/// utility) and how a generated answer is scored (the metric utility, the evaluation).
/// </summary>
public sealed record PreparedSample(string Id, string TaskType, int[] Prompt, int[] Gold, int MaxNewTokens, Func<string, double> Score)
{
    /// <summary>
    /// Formats a task sample with its dataset's template, renders it in the model's chat format, and cuts the middle of
    /// a prompt longer than <paramref name="maxPromptTokens"/> (as LongBench does: the instruction and the question
    /// at both ends survive).
    /// </summary>
    public static PreparedSample From(TaskSample sample, ProfilingModel model, int maxPromptTokens = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(sample);
        DefaultTaskSamples.EnsureRegistered();
        var info = DatasetCatalog.Get(sample.Dataset);
        var user = info.FormatPrompt(sample);
        var prompt = model.EncodePrompt(user);
        var gold = model.EncodeAnswer(user, GoldText(sample, info), prompt);
        // Room for the answer: the prompt and the generated tokens share the context.
        maxPromptTokens = Math.Min(maxPromptTokens, model.ContextLength - Math.Max(info.MaxNewTokens, gold.Length));
        if (prompt.Length > maxPromptTokens) prompt = CutMiddle(prompt, maxPromptTokens);
        if (gold.Length == 0) throw new InvalidOperationException($"Sample {sample.Id} has an empty gold answer.");
        return new PreparedSample(sample.Id, sample.Category, prompt, gold, info.MaxNewTokens, text => TaskScorer.Score(sample, text));
    }

    /// <summary>The answer teacher-forced by the log-likelihood utility: every reference when the metric wants them all
    /// (RULER's multi-value needles), otherwise the first.</summary>
    public static string GoldText(TaskSample sample, DatasetInfo info)
    {
        if (sample.Answers.Count == 0) throw new InvalidOperationException($"Sample {sample.Id} has no reference answer.");
        return info.Metric == "string_match_all" ? string.Join(", ", sample.Answers) : sample.Answers[0];
    }

    static int[] CutMiddle(int[] tokens, int keep)
    {
        int head = keep / 2, tail = keep - head;
        return tokens[..head].Concat(tokens[^tail..]).ToArray();
    }
}
