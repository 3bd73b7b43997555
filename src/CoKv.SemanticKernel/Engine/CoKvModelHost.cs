using CoKv.Generation;
using Microsoft.Extensions.Logging;

namespace CoKv.SemanticKernel.Engine;

/// <summary>
/// The one model instance of a registration, loaded on first use (or at host start with
/// <see cref="CoKvOptions.LoadOnStart"/>) and disposed with the service provider. A failed load is not cached: the
/// next request tries again, so a model file that appears later is picked up.
/// </summary>
public sealed class CoKvModelHost : IDisposable
{
    readonly CoKvOptions _options;
    readonly ILogger _logger;
    readonly SemaphoreSlim _gate = new(1, 1);
    volatile LocalModel? _model;
    bool _disposed;

    public CoKvModelHost(CoKvOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        CoKvTelemetry.Track(this);
    }

    public CoKvOptions Options => _options;

    /// <summary>The model if it is loaded already, else null (never starts a load).</summary>
    public LocalModel? Loaded => _model;

    public async ValueTask<LocalModel> GetModelAsync(CancellationToken cancellationToken)
    {
        if (_model is { } ready) return ready;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_model is { } raced) return raced;
            var path = _options.ModelPath;
            _logger.LogInformation("Loading model {Path}", path);
            var started = DateTime.UtcNow;
            // Loading reads and converts every weight: keep it off the caller's thread.
            var model = await Task.Run(() => LocalModel.Load(path, _options.ToLocalModelOptions()), cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("Loaded {ModelId} ({Layers} layers, {KvHeads} KV heads, context {Context}, fingerprint {Fingerprint}) in {Seconds:F1} s",
                model.ModelId, model.Config.LayerCount, model.Config.KvHeadCount, model.ContextLength, model.Fingerprint, (DateTime.UtcNow - started).TotalSeconds);
            _model = model;
            return model;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (_disposed) return;
            _disposed = true;
            _model?.Dispose();
            _model = null;
        }
        finally
        {
            _gate.Release();
        }
    }
}
