namespace CoKv.Kernels;

/// <summary>A piece of work split over the pool's threads: part <c>index</c> of <c>count</c>.</summary>
public interface IParallelWork
{
    void Run(int index, int count);
}

/// <summary>
/// A few threads that stay awake between the hundreds of short jobs of a decode step (4 per layer). The thread pool's
/// or libtorch's dispatch costs tens of microseconds a job, which at 120 jobs a step is a visible share of a 15 ms
/// step; these workers spin briefly on a generation counter and block only when idle, as ggml's threads do.
/// The calling thread runs part 0 itself. One job at a time: a caller that finds the pool busy runs its job inline.
/// </summary>
public sealed class WorkerPool : IDisposable
{
    const int SpinIterations = 20_000;

    readonly Thread[] _threads;
    readonly object _gate = new();
    readonly object _busy = new();
    IParallelWork? _work;
    Exception? _error;
    long _generation;
    int _pending;
    bool _stopping;

    public WorkerPool(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Threads = threads;
        _threads = new Thread[threads - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            int part = i + 1;
            _threads[i] = new Thread(() => Loop(part)) { IsBackground = true, Name = $"cokv-kernel-{part}" };
            _threads[i].Start();
        }
    }

    public int Threads { get; }

    static readonly Dictionary<int, WorkerPool> s_shared = new();

    /// <summary>
    /// The process-wide pool of <paramref name="threads"/> threads. Pools are kept, never replaced: a session may still
    /// hold one when another asks for a different count, and idle workers only sleep.
    /// </summary>
    public static WorkerPool Shared(int threads)
    {
        lock (s_shared)
        {
            if (!s_shared.TryGetValue(threads, out var pool)) s_shared[threads] = pool = new WorkerPool(threads);
            return pool;
        }
    }

    /// <summary>Runs <paramref name="work"/> in <see cref="Threads"/> parts and returns when all are done.</summary>
    public void Run(IParallelWork work)
    {
        if (Threads == 1 || !Monitor.TryEnter(_busy))
        {
            work.Run(0, 1);
            return;
        }
        try
        {
            _work = work;
            Volatile.Write(ref _pending, _threads.Length);
            lock (_gate)
            {
                _generation++;
                Monitor.PulseAll(_gate);
            }
            work.Run(0, Threads);
            var spinner = new SpinWait();
            while (Volatile.Read(ref _pending) != 0) spinner.SpinOnce(sleep1Threshold: -1);
            _work = null;
            if (Interlocked.Exchange(ref _error, null) is { } error)
                throw new InvalidOperationException("A kernel worker failed: " + error.Message, error);
        }
        finally
        {
            Monitor.Exit(_busy);
        }
    }

    void Loop(int part)
    {
        long seen = 0;
        while (true)
        {
            int spins = 0;
            while (Volatile.Read(ref _generation) == seen && !Volatile.Read(ref _stopping))
            {
                if (++spins < SpinIterations) { Thread.SpinWait(20); continue; }
                lock (_gate)
                {
                    while (_generation == seen && !_stopping) Monitor.Wait(_gate);
                }
            }
            if (Volatile.Read(ref _stopping)) return;
            seen = Volatile.Read(ref _generation);
            try { _work!.Run(part, Threads); }
            catch (Exception e) { Interlocked.CompareExchange(ref _error, e, null); }
            finally { Interlocked.Decrement(ref _pending); }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
    }
}
