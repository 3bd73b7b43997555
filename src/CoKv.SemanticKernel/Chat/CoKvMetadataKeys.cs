namespace CoKv.SemanticKernel;

/// <summary>
/// Keys of the per-response facts in ChatResponse.AdditionalProperties (Microsoft.Extensions.AI) and
/// ChatMessageContent.Metadata (Semantic Kernel; token counts there are under "Usage").
/// </summary>
public static class CoKvMetadataKeys
{
    public const string KvBytes = "kv_bytes";
    /// <summary>"cokv" or "llamasharp": which engine answered.</summary>
    public const string Engine = "engine";
    public const string KvBytesFull = "kv_bytes_full";
    public const string Policy = "policy";
    public const string Budget = "budget";
    public const string Window = "window";
    /// <summary>Answer tokens decoded on the full cache before compressing (0 when none ran).</summary>
    public const string Lookahead = "lookahead_tokens";
    public const string Profile = "profile";
    /// <summary>explicit, classified, default or fallback.</summary>
    public const string ProfileReason = "profile_reason";
    public const string ProfileNote = "profile_note";
    public const string TaskType = "task_type";
    public const string PrefillMs = "prefill_ms";
    public const string DecodeMs = "decode_ms";
    public const string CompressionMs = "compression_ms";
    public const string PromptTokens = "prompt_tokens";
    /// <summary>Prompt tokens served from the conversation's cache instead of being prefilled again.</summary>
    public const string ReusedPromptTokens = "reused_prompt_tokens";
    public const string CompletionTokens = "completion_tokens";
    /// <summary>Tokens kept per (layer, KV head), row-major; absent for a full cache.</summary>
    public const string TokensPerHead = "tokens_per_head";
    /// <summary>Semantic Kernel's key for the UsageDetails.</summary>
    public const string Usage = "Usage";
    /// <summary>Semantic Kernel's key for the finish reason ("stop", "length").</summary>
    public const string FinishReason = "FinishReason";
}
