using System.Diagnostics;
using LLama.Exceptions;
using LLama.Native;

namespace CoKv.LlamaCpp;

/// <summary>
/// One llama.cpp inference context (a single sequence, seq_id 0) over a <see cref="LlamaCppModel"/>, driven through
/// LLamaSharp's context handle and batches. Every evaluation starts from an empty KV cache. Not thread-safe.
/// </summary>
public sealed class LlamaCppContext : IDisposable
{
    SafeLLamaContextHandle? _ctx;
    readonly LlamaCppModel _model;
    readonly LLamaBatch _batch = new();

    LlamaCppContext(SafeLLamaContextHandle ctx, LlamaCppModel model, int batchSize, int threads)
    {
        _ctx = ctx;
        _model = model;
        BatchSize = batchSize;
        Threads = threads;
        ContextLength = (int)ctx.ContextSize;
    }

    /// <summary>
    /// Creates a context of <paramref name="contextLength"/> positions that decodes up to <paramref name="batchSize"/>
    /// tokens per call on <paramref name="threads"/> threads (generation and batch alike).
    /// With <paramref name="f32Cache"/> the KV cache is F32 and flash attention is off, so the graph is plain f32
    /// softmax(QKᵀ)V: the form an f32 reference implementation can be compared with position by position.
    /// </summary>
    public static LlamaCppContext Create(LlamaCppModel model, int contextLength, int batchSize, int threads, bool f32Cache = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.VocabOnly)
            throw new ArgumentException("A vocab-only model cannot evaluate; load it with vocabOnly: false.", nameof(model));
        ArgumentOutOfRangeException.ThrowIfLessThan(contextLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);

        var p = LLamaContextParams.Default();
        p.n_ctx = (uint)contextLength;
        p.n_batch = (uint)batchSize;
        p.n_ubatch = (uint)batchSize; // one physical batch per call: all positions of a call see the same graph
        p.n_seq_max = 1;
        p.n_outputs_max = 0;          // 0 = n_batch: every position of a batch may ask for logits
        p.n_threads = threads;
        p.n_threads_batch = threads;
        p.no_perf = true;
        if (f32Cache)
        {
            p.type_k = GGMLType.GGML_TYPE_F32;
            p.type_v = GGMLType.GGML_TYPE_F32;
            p.llama_flash_attn_type = LLamaFlashAttentionType.LLAMA_FLASH_ATTENTION_TYPE_DISABLED;
        }
        SafeLLamaContextHandle ctx;
        try
        {
            ctx = SafeLLamaContextHandle.Create(model.Handle, p);
        }
        catch (RuntimeError e)
        {
            throw new LlamaCppException("llama_init_from_model", $"{e.Message} (set LlamaCppRuntime.LogSink to see why)");
        }
        return new LlamaCppContext(ctx, model, batchSize, threads);
    }

    public LlamaCppModel Model => _model;

    /// <summary>The context length llama.cpp allocated (it may round the requested one up).</summary>
    public int ContextLength { get; }

    public int BatchSize { get; }

    public int Threads { get; }

    /// <summary>Timings of the last <see cref="GenerateGreedy"/> call; null before the first.</summary>
    public GenerationTimings? LastTimings { get; private set; }

    /// <summary>LLamaSharp's handle of this context, for code that drives LLamaSharp directly.</summary>
    public SafeLLamaContextHandle NativeHandle => _ctx ?? throw new ObjectDisposedException(nameof(LlamaCppContext));

    /// <summary>
    /// Clears the KV cache, decodes <paramref name="tokens"/> as one batch at positions 0… and returns the logits of
    /// every position: [position][vocab].
    /// </summary>
    public float[][] EvaluateAllLogits(IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count == 0)
            throw new ArgumentException("At least one token is needed.", nameof(tokens));
        if (tokens.Count > BatchSize || tokens.Count > ContextLength)
            throw new ArgumentException(
                $"{tokens.Count} tokens exceed the batch size {BatchSize} or the context length {ContextLength}.", nameof(tokens));

        ClearMemory();
        Decode(tokens, 0, tokens.Count, 0, allLogits: true);
        var result = new float[tokens.Count][];
        for (var i = 0; i < tokens.Count; i++)
            result[i] = ReadLogits(i);
        return result;
    }

    /// <summary>
    /// Clears the KV cache, decodes the prompt (in batches of <see cref="BatchSize"/>) and then picks the argmax token
    /// one llama_decode at a time. Returns the new tokens only; an end-of-generation token stops generation (and is
    /// not returned) when <paramref name="stopAtEog"/>, and so does any of <paramref name="stopTokens"/>.
    /// Timings go to <see cref="LastTimings"/>.
    /// </summary>
    public IReadOnlyList<int> GenerateGreedy(IReadOnlyList<int> prompt, int maxNewTokens, bool stopAtEog = true,
        IReadOnlySet<int>? stopTokens = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (prompt.Count == 0)
            throw new ArgumentException("The prompt needs at least one token (usually BOS).", nameof(prompt));
        ArgumentOutOfRangeException.ThrowIfNegative(maxNewTokens);
        // The last new token is never fed back, so the cache holds prompt + maxNewTokens - 1 positions.
        if (prompt.Count + Math.Max(maxNewTokens - 1, 0) > ContextLength)
            throw new ArgumentException(
                $"{prompt.Count} prompt tokens + {maxNewTokens} new ones do not fit the context of {ContextLength}.");

        ClearMemory();
        var output = new List<int>(maxNewTokens);
        var clock = Stopwatch.StartNew();
        for (var start = 0; start < prompt.Count; start += BatchSize)
            Decode(prompt, start, Math.Min(BatchSize, prompt.Count - start), start, allLogits: false);
        var next = ArgMax(NativeHandle.GetLogitsIth(-1));
        var prefill = clock.Elapsed;

        clock.Restart();
        var decodeCalls = 0;
        var position = prompt.Count;
        while (output.Count < maxNewTokens)
        {
            if ((stopAtEog && _model.IsEndOfGeneration(next)) || stopTokens?.Contains(next) == true)
                break;
            output.Add(next);
            if (output.Count == maxNewTokens)
                break;
            Decode([next], 0, 1, position++, allLogits: false);
            decodeCalls++;
            next = ArgMax(NativeHandle.GetLogitsIth(-1));
        }
        var decode = decodeCalls == 0 ? TimeSpan.Zero : clock.Elapsed;
        LastTimings = new GenerationTimings(prompt.Count, prefill, decodeCalls, decode);
        return output;
    }

    /// <summary>Empties the KV cache (metadata and data) through llama_memory_clear.</summary>
    public void ClearMemory() => NativeHandle.MemoryClear(true);

    public void Dispose()
    {
        Interlocked.Exchange(ref _ctx, null)?.Dispose();
    }

    void Decode(IReadOnlyList<int> tokens, int offset, int count, int firstPosition, bool allLogits)
    {
        _batch.Clear();
        for (var i = 0; i < count; i++)
            _batch.Add(tokens[offset + i], firstPosition + i, LLamaSeqId.Zero, allLogits || i == count - 1);
        var rc = NativeHandle.Decode(_batch);
        if (rc != DecodeResult.Ok)
            throw new LlamaCppException("llama_decode", (int)rc, DescribeDecodeCode(rc));
    }

    /// <summary>Logits of output <paramref name="i"/> of the last batch (negative counts from the end).</summary>
    float[] ReadLogits(int i)
    {
        var logits = NativeHandle.GetLogitsIth(i);
        if (logits.Length != _model.VocabSize)
            throw new LlamaCppException("llama_get_logits_ith", i, $"gave {logits.Length} logits for a vocabulary of {_model.VocabSize}");
        return logits.ToArray();
    }

    static int ArgMax(ReadOnlySpan<float> logits)
    {
        // Strict ">" keeps the first maximum on ties, as run.c's argmax does.
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
            if (logits[i] > logits[best])
                best = i;
        return best;
    }

    static string DescribeDecodeCode(DecodeResult rc) => rc switch
    {
        DecodeResult.NoKvSlot => "no KV slot for the batch (context full or batch too large)",
        DecodeResult.ComputeAborted => "aborted",
        DecodeResult.InvalidInputBatch => "invalid input batch",
        _ => "fatal error",
    };
}
