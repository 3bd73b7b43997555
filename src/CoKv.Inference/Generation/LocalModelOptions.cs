namespace CoKv.Generation;

/// <summary>The precision the weights and activations run in (f16 is left out: its matmul is very slow on CPUs).</summary>
public enum RunDType { F32, BF16 }

/// <summary>How <see cref="LocalModel.Load"/> opens a model and how the engine serves it.</summary>
public sealed record LocalModelOptions
{
    /// <summary>Tokenizer file for llama2.c checkpoints; by default the one found beside the model.</summary>
    public string? TokenizerPath { get; init; }
    public RunDType DType { get; init; } = RunDType.F32;
    /// <summary>Torch CPU threads. The setting is process-wide in libtorch; null leaves it as it is.</summary>
    public int? Threads { get; init; }
    /// <summary>Positions a sequence may use (prompt + generated); null takes the model's own context length.</summary>
    public int? ContextLength { get; init; }
    /// <summary>Prompt tokens run per forward pass when a request does not say: bounds prefill's peak memory.</summary>
    public int PrefillChunkSize { get; init; } = 512;
    /// <summary>Requests that may wait behind the running one; one more is refused with <see cref="ModelBusyException"/>.</summary>
    public int MaxQueuedRequests { get; init; } = 16;
    /// <summary>The name <see cref="ModelBusyException"/> gives the queue limit: a host that sets it from its own options names that setting.</summary>
    public string QueueLimitSetting { get; init; } = DefaultQueueLimitSetting;
    internal const string DefaultQueueLimitSetting = "LocalModelOptions.MaxQueuedRequests";
    /// <summary>Caches kept after their requests for prefix reuse (by <see cref="GenerationRequest.SessionKey"/>); 0 keeps none.</summary>
    public int SessionCacheCount { get; init; } = 4;

    /// <summary>What is wrong with these options, one line each (<see cref="OptionRules"/>); empty when nothing is.</summary>
    public IReadOnlyList<string> Problems() => OptionRules.Problems(
        OptionRules.Threads(nameof(Threads), Threads),
        OptionRules.ContextLength(nameof(ContextLength), ContextLength),
        OptionRules.PrefillChunkSize(nameof(PrefillChunkSize), PrefillChunkSize),
        OptionRules.MaxQueuedRequests(nameof(MaxQueuedRequests), MaxQueuedRequests),
        OptionRules.SessionCacheCount(nameof(SessionCacheCount), SessionCacheCount));

    public void Validate() => OptionRules.ThrowIfAny([.. Problems()]);
}
