namespace CoKv.Generation;

/// <summary>Thrown when a request arrives while the queue of waiting requests is full.</summary>
public sealed class ModelBusyException : InvalidOperationException
{
    /// <param name="queueLimit">The number of requests that may wait.</param>
    /// <param name="setting">The setting the user changes to raise the limit, as the message names it.</param>
    public ModelBusyException(int queueLimit, string setting = LocalModelOptions.DefaultQueueLimitSetting)
        : base($"The model is busy: {queueLimit} requests are already waiting ({setting} = {queueLimit}). Retry later or raise {setting}.")
    {
        QueueLimit = queueLimit;
        Setting = setting;
    }

    public int QueueLimit { get; }

    /// <summary>The setting that holds <see cref="QueueLimit"/> (e.g. "CoKvOptions.MaxQueuedRequests" behind the connector).</summary>
    public string Setting { get; }
}
