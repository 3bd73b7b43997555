using CoKv.Cache;
using CoKv.Model;
using static TorchSharp.torch;

namespace CoKv.Generation;

/// <summary>
/// One sequence being generated: prefill (chunked, full cache), then decode steps over whatever cache the session holds
/// now (compression may replace the full cache with a head-budgeted one in between). Not thread-safe.
/// </summary>
public sealed class InferenceSession : IDisposable
{
    readonly Decoder _decoder;
    readonly List<int> _tokens = new();
    DecodeStep? _step;
    bool _stepRefused;

    public InferenceSession(Decoder decoder, long capacity, int observationWindow = 0)
    {
        _decoder = decoder;
        Cache = decoder.CreateCache(capacity, observationWindow);
    }

    public Decoder Decoder => _decoder;
    public IKvCache Cache { get; private set; }
    /// <summary>Every token the sequence holds so far (prompt and generated); positions are indices into it.</summary>
    public IReadOnlyList<int> Tokens => _tokens;
    public long Position => _tokens.Count;

    /// <summary>
    /// Runs tokens through the model in chunks of <paramref name="chunkSize"/> and returns the logits [vocab] (f32) of
    /// the last one. Peak memory is bounded by the chunk, not the prompt.
    /// </summary>
    public Tensor Prefill(IReadOnlyList<int> tokens, int chunkSize = 512, CancellationToken cancellation = default)
    {
        if (tokens.Count == 0) throw new ArgumentException("Nothing to prefill.", nameof(tokens));
        if (chunkSize <= 0) throw new ArgumentOutOfRangeException(nameof(chunkSize), "The chunk size must be positive.");
        Tensor? last = null;
        for (int start = 0; start < tokens.Count; start += chunkSize)
        {
            cancellation.ThrowIfCancellationRequested();
            int count = Math.Min(chunkSize, tokens.Count - start);
            last?.Dispose();
            last = Forward(tokens.Skip(start).Take(count).ToArray(), onlyLast: true);
        }
        return last!;
    }

    /// <summary>
    /// Appends one token and returns the logits [vocab] (f32) for the next: through the managed decode step where the
    /// decoder and the cache allow it (f32 on the CPU), else through the TorchSharp modules.
    /// </summary>
    public Tensor Step(int token)
    {
        if (Cache is IManagedDecodeCache { SupportsManagedDecode: true } managed && ManagedStep() is { } step)
        {
            var logits = step.Run(token, _tokens.Count, managed);
            _tokens.Add(token);
            return logits;
        }
        return Forward([token], onlyLast: true);
    }

    /// <summary>Whether decode steps go through the managed kernels (false: the TorchSharp path).</summary>
    public bool UsesManagedDecode => Cache is IManagedDecodeCache { SupportsManagedDecode: true } && ManagedStep() != null;

    DecodeStep? ManagedStep()
    {
        if (_step is null && !_stepRefused)
        {
            if (DecodeWeights.Supports(_decoder)) _step = new DecodeStep(_decoder, _decoder.ManagedWeights, get_num_threads());
            else _stepRefused = true;
        }
        return _step;
    }

    /// <summary>Swaps in another cache holding the same sequence (after compression); the old one is disposed.</summary>
    public void ReplaceCache(IKvCache cache)
    {
        if (ReferenceEquals(cache, Cache)) return;
        Cache.Dispose();
        Cache = cache;
    }

    Tensor Forward(int[] ids, bool onlyLast)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var input = tensor(ids.Select(i => (long)i).ToArray()).unsqueeze(0);
        var hidden = _decoder.Hidden(input, _tokens.Count, Cache);
        _tokens.AddRange(ids);
        var rows = onlyLast ? hidden[0, -1] : hidden[0];
        return _decoder.Logits(rows).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _step?.Dispose();
        Cache.Dispose();
    }
}
