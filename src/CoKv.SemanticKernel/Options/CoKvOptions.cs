using CoKv.Chat;
using CoKv.Generation;

namespace CoKv.SemanticKernel;

/// <summary>
/// One CoKv registration: which model to load and how requests get their KV budgets. Bound from configuration
/// (section "CoKv" by convention) and validated when the host starts, or at the latest when first resolved.
/// </summary>
public sealed class CoKvOptions
{
    /// <summary>A Hugging Face folder, a .gguf file or a llama2.c checkpoint (a .gguf for <see cref="CoKvEngine.LlamaSharp"/>).</summary>
    public string ModelPath { get; set; } = "";
    /// <summary>The engine behind the registration: CoKv (default) or LlamaSharp, llama.cpp's full cache on the same file.</summary>
    public CoKvEngine Engine { get; set; } = CoKvEngine.CoKv;
    /// <summary>Tokenizer for llama2.c checkpoints; by default the one found beside the model.</summary>
    public string? TokenizerPath { get; set; }
    /// <summary>The model id reported to Semantic Kernel and in responses; by default the model's file or folder name.</summary>
    public string? ModelId { get; set; }

    /// <summary>Where budget profiles are read from (and written to by the profiling service).</summary>
    public string ProfileDirectory { get; set; } = "profiles";
    /// <summary>B: the mean number of tokens each KV head keeps, when a request does not say.</summary>
    public int DefaultBudget { get; set; } = 128;
    /// <summary>w: tokens every head keeps from the end of the prompt (CoKV's code uses 8, SnapKV 32).</summary>
    public int Window { get; set; } = 8;
    /// <summary>L: answer tokens decoded greedily on the full cache before compressing, only so that their queries vote
    /// on what each head keeps (then decoded again on the compressed cache); 0 turns it off. Costs L decode steps.</summary>
    public int Lookahead { get; set; } = CoKv.Compression.SnapKvOptions.DefaultLookahead;
    /// <summary>The policy used when no profile applies. It must need no profile (full, streaming, snapkv, pyramid, ada).</summary>
    public string FallbackPolicy { get; set; } = BudgetPolicyNames.Ada;
    /// <summary>Which profiles the selector looks for: "cokv" (Sliced Shapley) or "baklava".</summary>
    public string ProfileMethod { get; set; } = BudgetPolicyNames.Cokv;
    /// <summary>The task type used when a request names none and the classifier recognises none; null skips this step.</summary>
    public string? DefaultTaskType { get; set; }
    /// <summary>Whether requests without an explicit task type go through <see cref="Selection.ITaskClassifier"/>.</summary>
    public bool ClassifyRequests { get; set; } = true;

    /// <summary>Token limit when a request sets none; null generates until a stop or a full context (never a silent small cap).</summary>
    public int? DefaultMaxTokens { get; set; }
    /// <summary>Overrides the chat template recognised from the model's metadata.</summary>
    public ChatTemplateFamily? ChatTemplate { get; set; }

    public RunDType DType { get; set; } = RunDType.F32;
    /// <summary>Torch CPU threads (process-wide in libtorch); null leaves the setting alone.</summary>
    public int? Threads { get; set; }
    /// <summary>Positions a conversation may use; null takes the model's own context length.</summary>
    public int? ContextLength { get; set; }
    public int PrefillChunkSize { get; set; } = 512;
    /// <summary>Requests that may wait behind the running one; one more fails at once with <see cref="ModelBusyException"/>.</summary>
    public int MaxQueuedRequests { get; set; } = 16;
    /// <summary>Conversations whose caches are kept for prefix reuse.</summary>
    public int SessionCacheCount { get; set; } = 4;

    /// <summary>
    /// Load the model when the host starts instead of on the first request. Lazy by default, so that building a
    /// service provider (tests, tools) costs nothing; eager loading fails fast on a broken model file.
    /// </summary>
    public bool LoadOnStart { get; set; }

    internal LocalModelOptions ToLocalModelOptions() => new()
    {
        TokenizerPath = TokenizerPath,
        DType = DType,
        Threads = Threads,
        ContextLength = ContextLength,
        PrefillChunkSize = PrefillChunkSize,
        MaxQueuedRequests = MaxQueuedRequests,
        QueueLimitSetting = $"{nameof(CoKvOptions)}.{nameof(MaxQueuedRequests)}",
        SessionCacheCount = SessionCacheCount,
    };

    /// <summary>The id the connector reports before (and after) the model is loaded.</summary>
    internal string ResolveModelId() =>
        !string.IsNullOrWhiteSpace(ModelId) ? ModelId
        : Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(ModelPath));
}
