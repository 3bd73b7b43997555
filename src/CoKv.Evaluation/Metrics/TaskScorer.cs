using CoKv.Datasets;

namespace CoKv.Metrics;

/// <summary>Scores predictions the way LongBench's eval.py does: the dataset's metric, first line only for the
/// few-shot datasets, mean over samples in [0, 1] (LongBench prints 100× that).</summary>
public static class TaskScorer
{
    public static double Score(TaskSample sample, string prediction)
    {
        var info = DatasetCatalog.Get(sample.Dataset);
        if (info.FirstLineOnly) prediction = prediction.TrimStart('\n').Split('\n')[0];
        return MetricRegistry.Get(info.Metric).Score(prediction, sample.Answers, sample.AllClasses);
    }

    public static double Mean(IReadOnlyList<TaskSample> samples, IReadOnlyList<string> predictions)
    {
        if (samples.Count != predictions.Count) throw new ArgumentException($"{samples.Count} samples but {predictions.Count} predictions.");
        if (samples.Count == 0) return 0;
        var sum = 0.0;
        for (var i = 0; i < samples.Count; i++) sum += Score(samples[i], predictions[i]);
        return sum / samples.Count;
    }
}
