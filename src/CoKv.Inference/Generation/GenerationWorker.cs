using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace CoKv.Generation;

/// <summary>
/// The engine's queue and its one worker thread: requests wait in a bounded channel and run one at a time, in arrival
/// order, through <see cref="Generate.Run"/> (torch work never runs on the caller's thread). Thread-safe.
/// </summary>
sealed class GenerationWorker : IDisposable
{
    /// <summary>A request waiting for the worker, with the channel its updates go to.</summary>
    sealed record Pending(GenerationRequest Request, ChannelWriter<GenerationUpdate> Output, CancellationToken Cancellation);

    readonly LocalModel _model;
    readonly Channel<Pending> _queue;
    readonly Thread _thread;
    readonly CancellationTokenSource _shutdown = new();
    readonly SessionCachePool _pool;
    int _disposed;

    /// <summary>Starts the thread: the model must be ready to serve.</summary>
    public GenerationWorker(LocalModel model)
    {
        _model = model;
        _pool = new SessionCachePool(model.Options.SessionCacheCount);
        // Waiting requests only: the running one has left the queue.
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(model.Options.MaxQueuedRequests)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _thread = new Thread(WorkLoop) { IsBackground = true, Name = "cokv-generation" };
        _thread.Start();
    }

    /// <summary>Requests waiting behind the running one.</summary>
    public int Queued => _queue.Reader.CanCount ? _queue.Reader.Count : 0;

    /// <summary>Queues the request (a full queue throws <see cref="ModelBusyException"/>) and streams its updates.</summary>
    public async IAsyncEnumerable<GenerationUpdate> Stream(GenerationRequest request, CancellationToken callerToken, [EnumeratorCancellation] CancellationToken enumeratorToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(callerToken, enumeratorToken, _shutdown.Token);
        var output = Channel.CreateUnbounded<GenerationUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        if (!_queue.Writer.TryWrite(new Pending(request, output.Writer, linked.Token)))
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, _model);
            throw new ModelBusyException(_model.Options.MaxQueuedRequests, _model.Options.QueueLimitSetting);
        }
        try
        {
            // ReadAllAsync checks the token only while waiting: updates already buffered would still be delivered
            // after a cancellation, so check before each one.
            await foreach (var update in output.Reader.ReadAllAsync(linked.Token).ConfigureAwait(false))
            {
                linked.Token.ThrowIfCancellationRequested();
                yield return update;
            }
        }
        finally
        {
            // Reached early when the consumer stops or is cancelled: the worker sees this between tokens.
            linked.Cancel();
        }
    }

    void WorkLoop()
    {
        var reader = _queue.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            while (reader.TryRead(out var work))
                Serve(work);
    }

    /// <summary>Runs one request; its channel ends with the result, the error or the cancellation.</summary>
    void Serve(Pending work)
    {
        var ct = work.Cancellation;
        try
        {
            var result = Generate.Run(_model, _pool, work.Request, update => work.Output.TryWrite(update), ct);
            work.Output.TryWrite(new GenerationUpdate("", null, result));
            work.Output.TryComplete();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            work.Output.TryComplete(new OperationCanceledException("The generation was cancelled.", null, ct));
        }
        catch (Exception e)
        {
            work.Output.TryComplete(e);
        }
    }

    /// <summary>Refuses new requests, cancels the running one, waits for the thread and frees the kept sessions.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _queue.Writer.TryComplete();
        _shutdown.Cancel();
        _thread.Join();
        _pool.Dispose();
        _shutdown.Dispose();
    }
}
