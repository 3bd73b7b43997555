using System.Diagnostics;
using CoKv.Profiles;
using CoKv.Profiling;
using CoKv.SemanticKernel.Engine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CoKv.SemanticKernel.Profiling;

/// <summary>
/// Builds, in the background, the profile of every configured task type that has none for the loaded model. Each
/// build checkpoints as it goes (in its own folder under the checkpoint directory), so stopping the host loses at most
/// the work since the last checkpoint and the next start resumes; the finished profile is saved atomically, and the
/// checkpoint folder removed. The chat client keeps answering meanwhile, with the fallback policy for those task types.
/// </summary>
public sealed class ProfilingHostedService : BackgroundService
{
    readonly CoKvModelHost _model;
    readonly IProfileBuilder? _builder;
    readonly CoKvProfilingOptions _options;
    readonly ProfileStatusBoard _status;
    readonly ILogger<ProfilingHostedService> _logger;

    public ProfilingHostedService(CoKvModelHost model, IProfileBuilder? builder, CoKvProfilingOptions options, ProfileStatusBoard status, ILogger<ProfilingHostedService> logger)
    {
        _model = model;
        _builder = builder;
        _options = options;
        _status = status;
        _logger = logger;
        foreach (var taskType in options.TaskTypes.Keys) _status.Set(new ProfileBuildState(taskType, ProfileBuildStage.Pending));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Host start must not wait for model loading or profiling.
        await Task.Yield();
        if (_options.TaskTypes.Count == 0) return;
        if (_builder is null)
        {
            const string missing = "No IProfileBuilder is registered, so profiles cannot be built; register one (services.AddSingleton<IProfileBuilder, ...>()).";
            _logger.LogError(missing);
            foreach (var taskType in _options.TaskTypes.Keys) _status.Set(new ProfileBuildState(taskType, ProfileBuildStage.Failed, Error: missing));
            return;
        }

        CoKv.Generation.LocalModel model;
        try
        {
            model = await _model.GetModelAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Profiling cannot start: the model did not load.");
            foreach (var taskType in _options.TaskTypes.Keys) _status.Set(new ProfileBuildState(taskType, ProfileBuildStage.Failed, Error: e.Message));
            return;
        }

        var store = new ProfileStore(_model.Options.ProfileDirectory);
        var checkpointRoot = _options.CheckpointDirectory ?? Path.Combine(store.Directory, "checkpoints");
        foreach (var (taskType, source) in _options.TaskTypes)
        {
            if (stoppingToken.IsCancellationRequested) break;
            if (store.TryFind(model.Fingerprint, taskType, _options.Method, out _))
            {
                _status.Set(new ProfileBuildState(taskType, ProfileBuildStage.Ready, ProfilePath: store.PathFor(model.Fingerprint, taskType, _options.Method)));
                _logger.LogInformation("Profile {TaskType} ({Method}) for {ModelId} exists", taskType, _options.Method, model.ModelId);
                continue;
            }
            var checkpoints = Path.Combine(checkpointRoot, Path.GetFileNameWithoutExtension(ProfileStore.FileName(model.Fingerprint, taskType, _options.Method)));
            var request = new ProfileBuildRequest
            {
                TaskType = taskType,
                Data = _options.DataSourceFor(source),
                Method = _options.Method,
                CoalitionSizes = _options.CoalitionSizes?.ToArray(),
                SamplesPerSize = _options.SamplesPerSize,
                Design = CoKv.Shapley.ShapleyCheckpoint.ParseDesign(_options.Design),
                ControlVariate = _options.ControlVariate,
                Utility = _options.Utility,
                Window = _options.Window ?? _model.Options.Window,
                Seed = _options.Seed,
                CheckpointDirectory = checkpoints,
            };
            if (!await BuildOneAsync(store, model, request, stoppingToken).ConfigureAwait(false)) break;
        }
    }

    /// <summary>False when stopped (the remaining task types wait for the next start).</summary>
    async Task<bool> BuildOneAsync(ProfileStore store, CoKv.Generation.LocalModel model, ProfileBuildRequest request, CancellationToken stoppingToken)
    {
        var taskType = request.TaskType;
        var resuming = Directory.Exists(request.CheckpointDirectory) && Directory.EnumerateFileSystemEntries(request.CheckpointDirectory).Any();
        _logger.LogInformation("{Action} the {Method} profile of {TaskType} for {ModelId} from {Data}; checkpoints in {Checkpoints}",
            resuming ? "Resuming" : "Building", request.Method, taskType, model.ModelId, request.Data, request.CheckpointDirectory);
        Directory.CreateDirectory(request.CheckpointDirectory);
        _status.Set(new ProfileBuildState(taskType, ProfileBuildStage.Building));
        var clock = Stopwatch.StartNew();
        var progress = new ProgressLog(this, taskType);
        try
        {
            var profile = await _builder!.BuildAsync(request, progress, stoppingToken).ConfigureAwait(false);
            profile.EnsureModel(model.Fingerprint, $"built for {taskType}");
            if (profile.TaskType != taskType || profile.Method != request.Method)
                throw new InvalidOperationException($"The profile builder returned a {profile.Method} profile of '{profile.TaskType}' for a {request.Method} request of '{taskType}'.");
            var path = store.Save(profile);
            TryDelete(request.CheckpointDirectory);
            _status.Set(new ProfileBuildState(taskType, ProfileBuildStage.Ready, progress.Done, progress.Total, path));
            _logger.LogInformation("Profile {TaskType} ready after {Seconds:F1} s: {Path}", taskType, clock.Elapsed.TotalSeconds, path);
            return true;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _status.Set(new ProfileBuildState(taskType, ProfileBuildStage.Stopped, progress.Done, progress.Total));
            _logger.LogInformation("Profiling of {TaskType} stopped at {Done}/{Total}; the next start resumes from {Checkpoints}",
                taskType, progress.Done, progress.Total, request.CheckpointDirectory);
            return false;
        }
        catch (Exception e)
        {
            _status.Set(new ProfileBuildState(taskType, ProfileBuildStage.Failed, progress.Done, progress.Total, Error: e.Message));
            _logger.LogError(e, "Profiling of {TaskType} failed; requests of this task type keep the fallback policy", taskType);
            return true;
        }
    }

    void TryDelete(string directory)
    {
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException e) { _logger.LogWarning(e, "Could not remove the finished build's checkpoints in {Directory}", directory); }
        catch (UnauthorizedAccessException e) { _logger.LogWarning(e, "Could not remove the finished build's checkpoints in {Directory}", directory); }
    }

    /// <summary>Forwards progress to the status board and logs about every tenth of the work.</summary>
    sealed class ProgressLog(ProfilingHostedService service, string taskType) : IProgress<ProfileProgress>
    {
        int _lastLoggedTenth = -1;
        public int Done { get; private set; }
        public int Total { get; private set; }

        public void Report(ProfileProgress value)
        {
            Done = value.Done;
            Total = value.Total;
            service._status.Set(new ProfileBuildState(taskType, ProfileBuildStage.Building, value.Done, value.Total));
            var tenth = value.Total > 0 ? value.Done * 10 / value.Total : 0;
            if (tenth == Interlocked.Exchange(ref _lastLoggedTenth, tenth)) return;
            service._logger.LogInformation("Profiling {TaskType}: {Done}/{Total} after {Seconds:F0} s", taskType, value.Done, value.Total, value.Elapsed.TotalSeconds);
        }
    }
}
