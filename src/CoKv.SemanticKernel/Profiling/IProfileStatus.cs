namespace CoKv.SemanticKernel.Profiling;

public enum ProfileBuildStage
{
    /// <summary>Not looked at yet (the service has not started or is busy with another task type).</summary>
    Pending,
    /// <summary>Being estimated; requests of this task type use the fallback policy meanwhile.</summary>
    Building,
    /// <summary>A valid profile for the loaded model is in the profile directory.</summary>
    Ready,
    /// <summary>Stopped by shutdown; its checkpoint is kept and the next start resumes from it.</summary>
    Stopped,
    Failed,
}

/// <summary>One configured task type's profile, as the profiling service sees it now.</summary>
public sealed record ProfileBuildState(
    string TaskType,
    ProfileBuildStage Stage,
    int Done = 0,
    int Total = 0,
    string? ProfilePath = null,
    string? Error = null)
{
    public DateTimeOffset UpdatedUtc { get; init; } = DateTimeOffset.UtcNow;

    public override string ToString() => Stage switch
    {
        ProfileBuildStage.Building => $"{TaskType}: building, {Done}/{Total}",
        ProfileBuildStage.Ready => $"{TaskType}: ready ({Path.GetFileName(ProfilePath)})",
        ProfileBuildStage.Failed => $"{TaskType}: failed ({Error})",
        _ => $"{TaskType}: {Stage.ToString().ToLowerInvariant()}",
    };
}

/// <summary>What the profiling service is doing, for health checks, dashboards and tests.</summary>
public interface IProfileStatus
{
    IReadOnlyList<ProfileBuildState> TaskTypes { get; }
    ProfileBuildState? Get(string taskType);
    /// <summary>True when every configured task type has its profile.</summary>
    bool AllReady { get; }
    /// <summary>Raised on every change (from the profiling thread).</summary>
    event Action<ProfileBuildState>? Changed;
}

/// <summary>The status board the service writes and everyone else reads.</summary>
public sealed class ProfileStatusBoard : IProfileStatus
{
    readonly object _gate = new();
    readonly List<ProfileBuildState> _states = new();

    public event Action<ProfileBuildState>? Changed;

    public ProfileStatusBoard() => CoKvTelemetry.Track(this);

    public IReadOnlyList<ProfileBuildState> TaskTypes
    {
        get { lock (_gate) return _states.ToArray(); }
    }

    public bool AllReady
    {
        get { lock (_gate) return _states.All(s => s.Stage == ProfileBuildStage.Ready); }
    }

    public ProfileBuildState? Get(string taskType)
    {
        lock (_gate) return _states.FirstOrDefault(s => s.TaskType == taskType);
    }

    public void Set(ProfileBuildState state)
    {
        lock (_gate)
        {
            var i = _states.FindIndex(s => s.TaskType == state.TaskType);
            if (i >= 0) _states[i] = state;
            else _states.Add(state);
        }
        Changed?.Invoke(state);
    }
}
