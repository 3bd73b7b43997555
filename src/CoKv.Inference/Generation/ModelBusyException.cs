namespace CoKv.Generation;

/// <summary>Thrown when a request arrives while the queue of waiting requests is full.</summary>
public sealed class ModelBusyException : InvalidOperationException
{
    public ModelBusyException(int queueLimit)
        : base($"The model is busy: {queueLimit} requests are already waiting (LocalModelOptions.MaxQueuedRequests = {queueLimit}). Retry later or raise the limit.")
    {
        QueueLimit = queueLimit;
    }

    public int QueueLimit { get; }
}
