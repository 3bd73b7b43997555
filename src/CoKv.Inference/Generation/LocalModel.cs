using System.Runtime.CompilerServices;
using System.Threading.Channels;
using CoKv.Chat;
using CoKv.Model;
using CoKv.Models;
using CoKv.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace CoKv.Generation;

/// <summary>
/// The engine: one loaded model that serves generation requests one at a time, in arrival order, on a worker thread
/// of its own (torch work never runs on the caller's thread). Thread-safe.
/// </summary>
public sealed class LocalModel : IDisposable
{
    readonly Channel<PendingRequest> _queue;
    readonly Thread _worker;
    readonly CancellationTokenSource _shutdown = new();
    readonly SessionCachePool _pool;
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
        _pool = new SessionCachePool(options.SessionCacheCount);
        // Waiting requests only: the running one has left the queue.
        _queue = Channel.CreateBounded<PendingRequest>(new BoundedChannelOptions(options.MaxQueuedRequests)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _worker = new Thread(WorkLoop) { IsBackground = true, Name = "cokv-generation" };
        _worker.Start();
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
    public int QueuedRequests => _queue.Reader.CanCount ? _queue.Reader.Count : 0;

    /// <summary>The conversation in the model's chat template, tokenized (BOS as the model wants it).</summary>
    public IReadOnlyList<int> EncodeChat(IReadOnlyList<ChatTurn> turns, bool addGenerationPrompt)
    {
        var text = ChatPrompt.Render(Tokenizer, ChatTemplateFamily, turns, addGenerationPrompt, out var addBos);
        return Tokenizer.Encode(text, addBos, parseSpecial: true);
    }

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
        return Stream(request, cancellationToken);
    }

    /// <summary>Runs a request to its end and returns the result.</summary>
    public async Task<GenerationResult> GenerateTextAsync(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        GenerationResult? result = null;
        await foreach (var update in GenerateAsync(request, cancellationToken).ConfigureAwait(false))
            result = update.Final ?? result;
        return result ?? throw new InvalidOperationException("The generation ended without a result.");
    }

    async IAsyncEnumerable<GenerationUpdate> Stream(GenerationRequest request, CancellationToken callerToken, [EnumeratorCancellation] CancellationToken enumeratorToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(callerToken, enumeratorToken, _shutdown.Token);
        var output = Channel.CreateUnbounded<GenerationUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        if (!_queue.Writer.TryWrite(new PendingRequest(request, output.Writer, linked.Token)))
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            throw new ModelBusyException(Options.MaxQueuedRequests, Options.QueueLimitSetting);
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
        if (request.MaxNewTokens is < 0) throw new ArgumentException($"MaxNewTokens is {request.MaxNewTokens}; it must be ≥ 0.", nameof(request));
        if (request.PrefillChunkSize is < 1) throw new ArgumentException($"PrefillChunkSize is {request.PrefillChunkSize}; it must be ≥ 1.", nameof(request));
        (request.Sampling ?? throw new ArgumentException("The request has no sampling options.", nameof(request))).Validate();
    }

    void WorkLoop()
    {
        var reader = _queue.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            while (reader.TryRead(out var work))
                GenerationRun.Execute(this, _pool, work);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _queue.Writer.TryComplete();
        _shutdown.Cancel();
        _worker.Join();
        _pool.Dispose();
        Decoder.Dispose();
        _shutdown.Dispose();
    }
}
