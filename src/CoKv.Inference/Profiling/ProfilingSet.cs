using CoKv.Datasets;

namespace CoKv.Profiling;

/// <summary>
/// The validation samples of one profile, prepared and prefilled once (each keeps its full cache for the whole
/// build), with what the profile's provenance records about them.
/// </summary>
public sealed class ProfilingSet : IDisposable
{
    ProfilingSet(IReadOnlyList<TaskSample> samples, IReadOnlyList<PrefilledSample> prefilled, string datasetHash)
    {
        Samples = samples;
        Prefilled = prefilled;
        DatasetHash = datasetHash;
    }

    public IReadOnlyList<TaskSample> Samples { get; }
    public IReadOnlyList<PrefilledSample> Prefilled { get; }
    public string DatasetHash { get; }
    public string Metric => DatasetCatalog.MetricFor(Samples[0].Dataset);
    public string[] Datasets => Samples.Select(s => s.Dataset).Distinct().Order(StringComparer.Ordinal).ToArray();

    public static ProfilingSet Load(ProfilingModel model, ProfileDataSource source, int observationWindow = 0, int? maxSamples = null, CancellationToken ct = default)
    {
        var samples = ProfileData.ForProfiling(source, model.Tokenizer);
        if (maxSamples is { } max) samples = samples.Take(max).ToArray();
        if (samples.Count == 0) throw new InvalidOperationException($"No validation samples in {source}: give more data (a file's validation split is 15% of it).");
        var prefilled = new List<PrefilledSample>(samples.Count);
        try
        {
            foreach (var s in samples)
            {
                ct.ThrowIfCancellationRequested();
                prefilled.Add(PrefilledSample.Run(model.Decoder, PreparedSample.From(s, model), observationWindow, ct: ct));
            }
        }
        catch
        {
            foreach (var p in prefilled) p.Dispose();
            throw;
        }
        return new ProfilingSet(samples, prefilled, CoKv.Datasets.DatasetHash.OfSamples(samples));
    }

    public void Dispose()
    {
        foreach (var p in Prefilled) p.Dispose();
    }
}
