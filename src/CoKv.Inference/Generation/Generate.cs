using System.Diagnostics;
using System.Text;
using CoKv.Cache;
using CoKv.Compression;
using CoKv.Generation.Constraints;
using CoKv.Tokenization;
using static TorchSharp.torch;

namespace CoKv.Generation;

/// <summary>
/// Generation as four plain functions and the loop that calls them, in the shape of gpt-fast's generate.py:
/// <see cref="Prefill"/> the prompt, <see cref="Compress"/> the cache once, then <see cref="Sample"/> a token and
/// <see cref="DecodeOneToken"/> it until a stop. An <see cref="InferenceSession"/> holds the cache and the tokens;
/// <see cref="GenerationWorker"/> calls <see cref="Run"/> for each request in turn.
/// </summary>
public static class Generate
{
    /// <summary>
    /// Runs tokens through the model in chunks of <paramref name="chunkSize"/> and returns the logits [vocab] (f32) of
    /// the last one. Peak memory is bounded by the chunk, not the prompt.
    /// </summary>
    public static Tensor Prefill(InferenceSession session, IReadOnlyList<int> tokens, int chunkSize, CancellationToken cancellation = default)
    {
        if (tokens.Count == 0) throw new ArgumentException("Nothing to prefill.", nameof(tokens));
        OptionRules.ThrowIfAny(OptionRules.PrefillChunkSize(nameof(chunkSize), chunkSize));
        Tensor? last = null;
        for (int start = 0; start < tokens.Count; start += chunkSize)
        {
            cancellation.ThrowIfCancellationRequested();
            last?.Dispose();
            last = session.Forward(tokens.Skip(start).Take(Math.Min(chunkSize, tokens.Count - start)).ToArray());
        }
        return last!;
    }

    /// <summary>
    /// Swaps the session's full cache for the compressor's head-budgeted one and returns what it did; null where the
    /// cache cannot be scored: a reused cache is already whatever an earlier request made of it, and only a dense one
    /// that remembered the compressor's observation window can be.
    /// </summary>
    public static CompressionReport? Compress(InferenceSession session, ICacheCompressor compressor)
    {
        if (session.Cache is not DenseKvCache dense || dense.ObservationWindow < compressor.ObservationWindow
            || (compressor.QueryStride > 0 && dense.QueryStride != compressor.QueryStride)) return null;
        var outcome = compressor.Compress(dense);
        session.ReplaceCache(outcome.Cache);
        return outcome.Report;
    }

    /// <summary>Appends one token and returns the logits [vocab] (f32) of the next (managed kernels where they apply).</summary>
    public static Tensor DecodeOneToken(InferenceSession session, int token) => session.Step(token);

    /// <summary>
    /// Draws the next token from logits [vocab]. A constraint first fills its mask (<paramref name="tokensLeft"/>: draws
    /// left, this one included), then moves past the token drawn.
    /// </summary>
    public static int Sample(Sampler sampler, Tensor logits, IReadOnlyList<int> history,
        (ITokenConstraint Rule, bool[] Allowed)? constraint = null, int tokensLeft = int.MaxValue)
    {
        constraint?.Rule.FillMask(constraint.Value.Allowed, tokensLeft);
        int token;
        using (NewDisposeScope()) token = sampler.Next(logits, history, constraint?.Allowed);
        constraint?.Rule.Advance(token);
        return token;
    }

    /// <summary>
    /// Serves one request: prefill (only the tokens a kept session does not hold yet), look ahead and compress, then decode until a
    /// stop id, a stop string, the token limit or the context limit. Text deltas go to <paramref name="emit"/> as they
    /// become final; every tensor of the request is released (or its session kept for reuse) before the result returns.
    /// </summary>
    internal static GenerationResult Run(LocalModel model, SessionCachePool pool, GenerationRequest request, Action<GenerationUpdate> emit, CancellationToken ct)
    {
        InferenceSession? session = null;
        Tensor? logits = null;
        try
        {
            ct.ThrowIfCancellationRequested();
            var prompt = request.PromptTokens;
            if (request.SessionKey is { } key) session = pool.TakeExtendable(key, prompt);
            int reused = session?.Tokens.Count ?? 0;
            int lookahead = request.Compression?.Lookahead ?? 0;
            session ??= new InferenceSession(model.Decoder, Capacity(model, request, lookahead),
                (request.Compression?.ObservationWindow ?? 0) + lookahead, request.Compression?.QueryStride ?? 0);

            var clock = Stopwatch.StartNew();
            logits = Prefill(session, prompt.Skip(reused).ToArray(), request.PrefillChunkSize ?? model.Options.PrefillChunkSize, ct);
            var prefillTime = clock.Elapsed;

            ct.ThrowIfCancellationRequested();
            clock.Restart();
            CompressionReport? report = null;
            int lookedAhead = 0;
            if (request.Compression is { } compressor)
            {
                lookedAhead = session.LookAhead(logits, compressor.Lookahead, compressor.ObservationWindow, model.Tokenizer.StopIds, ct);
                report = Compress(session, compressor);
            }
            var compressionTime = report is null ? TimeSpan.Zero : clock.Elapsed;

            clock.Restart();
            var (finish, generated, text) = DecodeTokens(model, request, session, ref logits, emit, ct);
            var stats = new GenerationStats
            {
                PromptTokens = prompt.Count,
                ReusedPromptTokens = reused,
                GeneratedTokens = generated.Count,
                Prefill = prefillTime,
                Compression = compressionTime,
                LookaheadTokens = lookedAhead,
                Decode = clock.Elapsed,
                KvBytes = session.Cache.KeptBytes,
                KvBytesFullCache = session.Cache.FullCacheBytes,
                CompressionReport = report,
            };
            if (request.SessionKey is { } keepAs)
            {
                pool.Keep(keepAs, session);
                session = null;
            }
            return new GenerationResult(text, generated, finish, stats);
        }
        finally
        {
            logits?.Dispose();
            session?.Dispose();
        }
    }

    /// <summary>Sample, emit, decode one token, until a stop or a limit; the text held back at the end is emitted last.</summary>
    static (FinishReason, List<int>, string) DecodeTokens(
        LocalModel model, GenerationRequest request, InferenceSession session, ref Tensor? logits, Action<GenerationUpdate> emit, CancellationToken ct)
    {
        var sampler = new Sampler(request.Sampling);
        var detokenizer = new StreamingDetokenizer(model.Tokenizer, continuesSequence: true);
        var stops = new StopStringFilter(request.StopStrings);
        var generated = new List<int>();
        var text = new StringBuilder();
        int limit = request.MaxNewTokens ?? int.MaxValue;
        var constraint = request.Constraint?.Invoke() is { } rule
            ? (rule, new bool[Math.Max(model.Tokenizer.VocabSize, (int)logits!.shape[^1])])
            : ((ITokenConstraint, bool[])?)null;
        FinishReason finish;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (generated.Count >= limit) { finish = FinishReason.Length; break; }
            int token = Sample(sampler, logits!, session.Tokens, constraint, limit == int.MaxValue ? int.MaxValue : limit - generated.Count);
            if (model.Tokenizer.StopIds.Contains(token)) { finish = FinishReason.Stop; break; }
            generated.Add(token);
            var delta = stops.Push(detokenizer.Append(token));
            text.Append(delta);
            emit(new GenerationUpdate(delta, token));
            if (stops.Stopped) { finish = FinishReason.Stop; break; }
            if (generated.Count >= limit || session.Position >= model.ContextLength) { finish = FinishReason.Length; break; }
            logits!.Dispose();
            logits = null;
            logits = DecodeOneToken(session, token);
        }
        // Text the detokenizer or the stop filter still held (an unfinished character, a possible stop string start).
        var rest = stops.Push(detokenizer.Flush()) + stops.Flush();
        if (stops.Stopped) finish = FinishReason.Stop;
        if (rest.Length > 0)
        {
            text.Append(rest);
            emit(new GenerationUpdate(rest, null));
        }
        return (finish, generated, text.ToString());
    }

    /// <summary>
    /// Room the full cache reserves. A request that may be continued gets the whole context; others only what they
    /// can use (the look-ahead's tokens included), so short requests on a long-context model do not reserve a long cache.
    /// </summary>
    static long Capacity(LocalModel model, GenerationRequest request, int lookahead)
    {
        if (request.SessionKey != null || request.MaxNewTokens is null) return model.ContextLength;
        return Math.Min(model.ContextLength, (long)request.PromptTokens.Count + Math.Max(request.MaxNewTokens.Value, lookahead));
    }
}
