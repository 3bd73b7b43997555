namespace CoKv.Profiling;

/// <summary>
/// Reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool and may reorder). The profilers
/// and the CLI's progress bars both use it.
/// </summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
