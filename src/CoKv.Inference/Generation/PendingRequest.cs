using System.Threading.Channels;

namespace CoKv.Generation;

/// <summary>A request waiting for the engine's worker, with the channel its updates go to.</summary>
sealed record PendingRequest(GenerationRequest Request, ChannelWriter<GenerationUpdate> Output, CancellationToken Cancellation);
