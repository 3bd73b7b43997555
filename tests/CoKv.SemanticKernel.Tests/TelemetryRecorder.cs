using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CoKv.SemanticKernel.Tests;

/// <summary>One measurement as a MeterListener saw it.</summary>
sealed record Recorded(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    public object? Tag(string name) => Tags.GetValueOrDefault(name);
}

/// <summary>
/// Listens to the connector's Meter (MeterListener) and ActivitySource (ActivityListener), and to any other sources
/// named, the way an OpenTelemetry SDK would subscribe, and keeps what they publish.
/// </summary>
sealed class TelemetryRecorder : IDisposable
{
    readonly MeterListener _meters = new();
    readonly ActivityListener _activities;
    readonly ConcurrentQueue<Recorded> _measurements = new();
    readonly ConcurrentQueue<Activity> _stopped = new();

    public TelemetryRecorder(params string[] otherSources)
    {
        var sources = new HashSet<string>(otherSources) { CoKvTelemetry.SourceName };
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == CoKvTelemetry.SourceName) listener.EnableMeasurementEvents(instrument);
        };
        _meters.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _meters.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
        _meters.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _meters.Start();
        _activities = new ActivityListener
        {
            ShouldListenTo = s => sources.Contains(s.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);
    }

    void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var (key, v) in tags) copy[key] = v;
        _measurements.Enqueue(new Recorded(instrument.Name, value, copy));
    }

    public IReadOnlyList<Recorded> Measurements(string instrument) => _measurements.Where(m => m.Instrument == instrument).ToList();

    public IReadOnlyList<Activity> Spans => _stopped.ToList();

    /// <summary>Asks the observable instruments (queue length, profiling progress) for their values now.</summary>
    public void Observe() => _meters.RecordObservableInstruments();

    public void Dispose()
    {
        _meters.Dispose();
        _activities.Dispose();
    }
}
