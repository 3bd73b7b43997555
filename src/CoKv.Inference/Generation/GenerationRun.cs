using System.Diagnostics;
using System.Text;
using CoKv.Cache;
using CoKv.Compression;
using CoKv.Tokenization;
using static TorchSharp.torch;

namespace CoKv.Generation;

/// <summary>
/// Serves one request on the engine's worker thread: prefill (reusing a kept session when the prompt extends it),
/// optional compression, then the decode loop with stop ids, stop strings, the token limit and the context limit.
/// Updates go to the request's channel; the channel is completed with the error or the cancellation, if any.
/// </summary>
static class GenerationRun
{
    public static void Execute(LocalModel model, SessionCachePool pool, PendingRequest work)
    {
        var request = work.Request;
        var ct = work.Cancellation;
        InferenceSession? session = null;
        Tensor? logits = null;
        try
        {
            ct.ThrowIfCancellationRequested();
            var prompt = request.PromptTokens;
            int reused = 0;
            if (request.SessionKey is { } key)
            {
                session = pool.TakeExtendable(key, prompt);
                reused = session?.Tokens.Count ?? 0;
            }
            session ??= new InferenceSession(model.Decoder, Capacity(model, request), request.Compression?.ObservationWindow ?? 0);

            var clock = Stopwatch.StartNew();
            logits = session.Prefill(prompt.Skip(reused).ToArray(), request.PrefillChunkSize ?? model.Options.PrefillChunkSize, ct);
            var prefillTime = clock.Elapsed;

            CompressionReport? report = null;
            var compressionTime = TimeSpan.Zero;
            // A reused cache is already whatever an earlier request made of it; only a dense one that saw the
            // observation window can be scored.
            if (request.Compression is { } compressor && session.Cache is DenseKvCache dense && dense.ObservationWindow >= compressor.ObservationWindow)
            {
                ct.ThrowIfCancellationRequested();
                clock.Restart();
                var outcome = compressor.Compress(dense);
                session.ReplaceCache(outcome.Cache);
                report = outcome.Report;
                compressionTime = clock.Elapsed;
            }

            clock.Restart();
            var (finish, generated, text) = Decode(model, request, session, ref logits, work, ct);
            var stats = new GenerationStats
            {
                PromptTokens = prompt.Count,
                ReusedPromptTokens = reused,
                GeneratedTokens = generated.Count,
                Prefill = prefillTime,
                Compression = compressionTime,
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
            // Released before the result is published: a caller who has the result holds no tensor of this request.
            logits?.Dispose();
            logits = null;
            session?.Dispose();
            session = null;
            work.Output.TryWrite(new GenerationUpdate("", null, new GenerationResult(text, generated, finish, stats)));
            work.Output.TryComplete();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            work.Output.TryComplete(new OperationCanceledException("The generation was cancelled.", null, ct));
        }
        catch (Exception e)
        {
            work.Output.TryComplete(e);
        }
        finally
        {
            logits?.Dispose();
            session?.Dispose();
        }
    }

    static (FinishReason, List<int>, string) Decode(
        LocalModel model, GenerationRequest request, InferenceSession session, ref Tensor? logits, PendingRequest work, CancellationToken ct)
    {
        var sampler = new Sampler(request.Sampling);
        var detokenizer = new StreamingDetokenizer(model.Tokenizer, continuesSequence: true);
        var stops = new StopStringFilter(request.StopStrings);
        var generated = new List<int>();
        var text = new StringBuilder();
        int limit = request.MaxNewTokens ?? int.MaxValue;
        var constraint = request.Constraint?.Invoke();
        var allowed = constraint is null ? null : new bool[Math.Max(model.Tokenizer.VocabSize, (int)logits!.shape[^1])];
        FinishReason finish;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (generated.Count >= limit) { finish = FinishReason.Length; break; }
            int token;
            constraint?.FillMask(allowed!, limit == int.MaxValue ? int.MaxValue : limit - generated.Count);
            using (NewDisposeScope()) token = sampler.Next(logits!, session.Tokens, allowed);
            constraint?.Advance(token);
            if (model.Tokenizer.StopIds.Contains(token)) { finish = FinishReason.Stop; break; }
            generated.Add(token);
            var delta = stops.Push(detokenizer.Append(token));
            text.Append(delta);
            work.Output.TryWrite(new GenerationUpdate(delta, token));
            if (stops.Stopped) { finish = FinishReason.Stop; break; }
            if (generated.Count >= limit || session.Position >= model.ContextLength) { finish = FinishReason.Length; break; }
            logits!.Dispose();
            logits = null;
            logits = session.Step(token);
        }
        // Text the detokenizer or the stop filter still held (an unfinished character, a possible stop string start).
        var rest = stops.Push(detokenizer.Flush());
        rest += stops.Flush();
        if (stops.Stopped) finish = FinishReason.Stop;
        if (rest.Length > 0)
        {
            text.Append(rest);
            work.Output.TryWrite(new GenerationUpdate(rest, null));
        }
        return (finish, generated, text.ToString());
    }

    /// <summary>
    /// Room the full cache reserves. A request that may be continued gets the whole context; others only what they
    /// can use, so short requests on a long-context model do not reserve a long cache.
    /// </summary>
    static long Capacity(LocalModel model, GenerationRequest request)
    {
        if (request.SessionKey != null || request.MaxNewTokens is null) return model.ContextLength;
        return Math.Min(model.ContextLength, (long)request.PromptTokens.Count + request.MaxNewTokens.Value);
    }
}
