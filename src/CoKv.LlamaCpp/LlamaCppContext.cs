using System.Diagnostics;
using CoKv.LlamaCpp.Native;

namespace CoKv.LlamaCpp;

/// <summary>
/// One llama.cpp inference context (a single sequence, seq_id 0) over a <see cref="LlamaCppModel"/>.
/// Every evaluation starts from an empty KV cache. Not thread-safe.
/// </summary>
public sealed unsafe class LlamaCppContext : IDisposable
{
    IntPtr _ctx;
    readonly LlamaCppModel _model;

    LlamaCppContext(IntPtr ctx, LlamaCppModel model, int batchSize, int threads)
    {
        _ctx = ctx;
        _model = model;
        BatchSize = batchSize;
        Threads = threads;
        ContextLength = (int)NativeMethods.llama_n_ctx(ctx);
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

        var p = NativeMethods.llama_context_default_params();
        p.NCtx = (uint)contextLength;
        p.NBatch = (uint)batchSize;
        p.NUbatch = (uint)batchSize; // one physical batch per call: all positions of a call see the same graph
        p.NSeqMax = 1;
        p.NOutputsMax = 0;           // 0 = n_batch: every position of a batch may ask for logits
        p.NOutputsMaxPerSeq = 0;     // 0 = n_outputs_max; this build defaults to 1, which plain decoding ignores today
        p.NThreads = threads;
        p.NThreadsBatch = threads;
        p.NoPerf = 1;
        if (f32Cache)
        {
            p.TypeK = GgmlConstants.TypeF32;
            p.TypeV = GgmlConstants.TypeF32;
            p.FlashAttnType = GgmlConstants.FlashAttnDisabled;
        }
        var ctx = NativeMethods.llama_init_from_model(model.Handle, p);
        if (ctx == IntPtr.Zero)
            throw new LlamaCppException("llama_init_from_model", "returned null (set LlamaCppRuntime.LogSink to see why)");
        return new LlamaCppContext(ctx, model, batchSize, threads);
    }

    public LlamaCppModel Model => _model;

    /// <summary>The context length llama.cpp allocated (it may round the requested one up).</summary>
    public int ContextLength { get; }

    public int BatchSize { get; }

    public int Threads { get; }

    /// <summary>Timings of the last <see cref="GenerateGreedy"/> call; null before the first.</summary>
    public GenerationTimings? LastTimings { get; private set; }

    IntPtr Handle => _ctx != IntPtr.Zero ? _ctx : throw new ObjectDisposedException(nameof(LlamaCppContext));

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
    /// not returned) when <paramref name="stopAtEog"/>. Timings go to <see cref="LastTimings"/>.
    /// </summary>
    public IReadOnlyList<int> GenerateGreedy(IReadOnlyList<int> prompt, int maxNewTokens, bool stopAtEog = true)
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
        var next = ArgMax(ReadLogits(-1));
        var prefill = clock.Elapsed;

        clock.Restart();
        var decodeCalls = 0;
        var position = prompt.Count;
        while (output.Count < maxNewTokens)
        {
            if (stopAtEog && _model.IsEndOfGeneration(next))
                break;
            output.Add(next);
            if (output.Count == maxNewTokens)
                break;
            Decode([next], 0, 1, position++, allLogits: false);
            decodeCalls++;
            next = ArgMax(ReadLogits(-1));
        }
        var decode = decodeCalls == 0 ? TimeSpan.Zero : clock.Elapsed;
        LastTimings = new GenerationTimings(prompt.Count, prefill, decodeCalls, decode);
        return output;
    }

    /// <summary>Empties the KV cache (metadata and data) through llama_memory_clear.</summary>
    public void ClearMemory()
    {
        var memory = NativeMethods.llama_get_memory(Handle);
        if (memory == IntPtr.Zero)
            throw new LlamaCppException("llama_get_memory", "returned null");
        NativeMethods.llama_memory_clear(memory, true);
    }

    public void Dispose()
    {
        var ctx = Interlocked.Exchange(ref _ctx, IntPtr.Zero);
        if (ctx != IntPtr.Zero)
            NativeMethods.llama_free(ctx);
    }

    void Decode(IReadOnlyList<int> tokens, int offset, int count, int firstPosition, bool allLogits)
    {
        var batch = NativeMethods.llama_batch_init(count, 0, 1);
        if (batch.Token == null || batch.Pos == null || batch.NSeqId == null || batch.SeqId == null || batch.Logits == null)
            throw new LlamaCppException("llama_batch_init", $"returned unallocated arrays for {count} tokens");
        try
        {
            for (var i = 0; i < count; i++)
            {
                batch.Token[i] = tokens[offset + i];
                batch.Pos[i] = firstPosition + i;
                batch.NSeqId[i] = 1;
                batch.SeqId[i][0] = 0;
                batch.Logits[i] = (sbyte)(allLogits || i == count - 1 ? 1 : 0);
            }
            batch.NTokens = count;
            var rc = NativeMethods.llama_decode(Handle, batch);
            if (rc != 0)
                throw new LlamaCppException("llama_decode", rc, DescribeDecodeCode(rc));
        }
        finally
        {
            NativeMethods.llama_batch_free(batch);
        }
    }

    /// <summary>Logits of output <paramref name="i"/> of the last batch (negative counts from the end).</summary>
    float[] ReadLogits(int i)
    {
        var logits = NativeMethods.llama_get_logits_ith(Handle, i);
        if (logits == null)
            throw new LlamaCppException("llama_get_logits_ith", i, "returned null");
        return new ReadOnlySpan<float>(logits, _model.VocabSize).ToArray();
    }

    static int ArgMax(float[] logits)
    {
        // Strict ">" keeps the first maximum on ties, as run.c's argmax does.
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
            if (logits[i] > logits[best])
                best = i;
        return best;
    }

    static string DescribeDecodeCode(int rc) => rc switch
    {
        1 => "no KV slot for the batch (context full or batch too large)",
        2 => "aborted",
        -1 => "invalid input batch",
        _ => "fatal error",
    };
}
