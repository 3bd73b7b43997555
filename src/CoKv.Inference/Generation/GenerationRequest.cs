using CoKv.Compression;
using CoKv.Generation.Constraints;

namespace CoKv.Generation;

/// <summary>What to generate: a tokenized prompt, how to sample, when to stop, and how to compress the cache.</summary>
public sealed record GenerationRequest
{
    public required IReadOnlyList<int> PromptTokens { get; init; }
    /// <summary>Upper bound on new tokens; null runs until a stop or the context is full (never a silent small cap).</summary>
    public int? MaxNewTokens { get; init; }
    public SamplingOptions Sampling { get; init; } = SamplingOptions.Greedy;
    public IReadOnlyList<string> StopStrings { get; init; } = [];
    /// <summary>Prompt tokens per forward pass; null takes the engine's default (LocalModelOptions.PrefillChunkSize).</summary>
    public int? PrefillChunkSize { get; init; }
    /// <summary>Applied once after prefill, before the first decode step; null keeps the full cache.</summary>
    public ICacheCompressor? Compression { get; init; }
    /// <summary>
    /// Requests with the same key continue one conversation: when the prompt extends the tokens the previous request's
    /// cache holds, only the new tokens are prefilled.
    /// </summary>
    public string? SessionKey { get; init; }
    /// <summary>
    /// Constrained decoding: made once per request (the run owns the instance), asked for the allowed tokens before every
    /// step. Null samples from the whole vocabulary.
    /// </summary>
    public Func<ITokenConstraint>? Constraint { get; init; }
}
