using CoKv.Chat;
using CoKv.Decoding;
using CoKv.Models;
using CoKv.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace CoKv.Generation;

/// <summary>
/// The engine: one loaded model and its public API. Requests run one at a time, in arrival order, on the worker thread
/// of a <see cref="GenerationWorker"/> (torch work never runs on the caller's thread) through the plain functions of
/// <see cref="Generate"/>. Thread-safe.
/// </summary>
public sealed class LocalModel : IDisposable
{
    readonly GenerationWorker _worker;
    int _disposed;

    LocalModel(string path, string format, LocalModelOptions options, ModelConfig config, Decoder decoder, ITokenizer tokenizer, string? chatTemplate, string fingerprint)
    {
        Path = path;
        Format = format;
        Options = options;
        Config = config;
        Decoder = decoder;
        Tokenizer = tokenizer;
        ChatTemplateText = chatTemplate;
        ChatTemplateFamily = ChatTemplates.Detect(chatTemplate);
        Fingerprint = fingerprint;
        ModelId = System.IO.Path.GetFileNameWithoutExtension(System.IO.Path.TrimEndingDirectorySeparator(path));
        ContextLength = options.ContextLength ?? config.MaxContext;
        // Last: its thread may serve a request as soon as it starts.
        _worker = new GenerationWorker(this);
    }

    /// <summary>Opens a Hugging Face folder, a .gguf file or a llama2.c checkpoint and loads its weights.</summary>
    public static LocalModel Load(string path, LocalModelOptions? options = null)
    {
        options ??= new LocalModelOptions();
        options.Validate();
        if (options.Threads is { } threads) torch.set_num_threads(threads);
        using var bundle = ModelFiles.Open(path, options.TokenizerPath);
        var fingerprint = ModelFingerprint.Compute(bundle.Config, bundle.Weights);
        var dtype = options.DType == RunDType.BF16 ? ScalarType.BFloat16 : ScalarType.Float32;
        var decoder = DecoderLoader.Load(bundle.Config, bundle.Weights, dtype);
        return new LocalModel(path, bundle.Format, options, bundle.Config, decoder, bundle.Tokenizer, bundle.ChatTemplate, fingerprint);
    }

    public string Path { get; }
    /// <summary>"gguf", "hf" or "llama2c".</summary>
    public string Format { get; }
    /// <summary>The model's folder or file name (without extension).</summary>
    public string ModelId { get; }
    public LocalModelOptions Options { get; }
    public ModelConfig Config { get; }
    public Decoder Decoder { get; }
    public ITokenizer Tokenizer { get; }
    public string? ChatTemplateText { get; }
    public ChatTemplateFamily ChatTemplateFamily { get; }
    /// <summary>Identifies the weights whatever the file format (profiles are keyed by it).</summary>
    public string Fingerprint { get; }
    /// <summary>Positions one sequence may use: prompt and generated tokens together.</summary>
    public int ContextLength { get; }
    /// <summary>Requests waiting behind the running one (for queue-length metrics).</summary>
    public int QueuedRequests => _worker.Queued;

    /// <summary>The conversation in the model's chat template, tokenized (BOS as the model wants it).</summary>
    public IReadOnlyList<int> EncodeChat(IReadOnlyList<ChatTurn> turns, bool addGenerationPrompt) =>
        ChatPrompt.Encode(Tokenizer, ChatTemplateFamily, turns, addGenerationPrompt);

    /// <summary>
    /// Streams the completion of a request: text deltas as they become final, then one update carrying the result.
    /// The request waits in the queue behind earlier ones; a full queue makes the enumeration throw
    /// <see cref="ModelBusyException"/>. Cancelling the token (or leaving the enumeration early) stops the work
    /// between tokens or prefill chunks and frees the request's cache; the enumeration then throws
    /// <see cref="OperationCanceledException"/>. A bad request throws here, before any work.
    /// </summary>
    public IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Validate(request);
        return _worker.Stream(request, cancellationToken);
    }

    /// <summary>Runs a request to its end and returns the result.</summary>
    public async Task<GenerationResult> GenerateTextAsync(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        GenerationResult? result = null;
        await foreach (var update in GenerateAsync(request, cancellationToken).ConfigureAwait(false))
            result = update.Final ?? result;
        return result ?? throw new InvalidOperationException("The generation ended without a result.");
    }

    void Validate(GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var prompt = request.PromptTokens ?? throw new ArgumentException("The request has no prompt tokens.", nameof(request));
        if (prompt.Count == 0) throw new ArgumentException("The prompt is empty: at least one token (usually BOS) is needed.", nameof(request));
        if (prompt.Count > ContextLength)
            throw new ArgumentException($"The prompt has {prompt.Count} tokens, more than the context length of {ContextLength}.", nameof(request));
        for (int i = 0; i < prompt.Count; i++)
            if ((uint)prompt[i] >= (uint)Config.VocabSize)
                throw new ArgumentException($"Prompt token {i} is id {prompt[i]}, outside the vocabulary of {Config.VocabSize}.", nameof(request));
        if (OptionRules.Problems(
                OptionRules.MaxNewTokens(nameof(request.MaxNewTokens), request.MaxNewTokens),
                OptionRules.PrefillChunkSize(nameof(request.PrefillChunkSize), request.PrefillChunkSize)) is [var problem, ..])
            throw new ArgumentException(problem, nameof(request));
        (request.Sampling ?? throw new ArgumentException("The request has no sampling options.", nameof(request))).Validate();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _worker.Dispose();
        Decoder.Dispose();
    }
}
