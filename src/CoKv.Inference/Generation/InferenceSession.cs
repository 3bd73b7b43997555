using CoKv.Cache;
using CoKv.Decoding;
using static TorchSharp.torch;

namespace CoKv.Generation;

/// <summary>
/// One sequence being generated: its tokens and the cache that holds them. <see cref="Generate"/> prefills it (chunked,
/// full cache), may replace the full cache with a head-budgeted one, then decodes step by step over whatever cache it
/// holds now. Not thread-safe.
/// </summary>
public sealed class InferenceSession : IDisposable
{
    readonly Decoder _decoder;
    readonly List<int> _tokens = new();
    DecodeStep? _step;
    bool _stepRefused;

    public InferenceSession(Decoder decoder, long capacity, int observationWindow = 0, int queryStride = 0)
    {
        _decoder = decoder;
        Cache = decoder.CreateCache(capacity, observationWindow, queryStride);
    }

    public Decoder Decoder => _decoder;
    public IKvCache Cache { get; private set; }
    /// <summary>Every token the sequence holds so far (prompt and generated); positions are indices into it.</summary>
    public IReadOnlyList<int> Tokens => _tokens;
    public long Position => _tokens.Count;

    /// <summary>Runs tokens through the model in chunks and returns the logits of the last: <see cref="Generate.Prefill"/>.</summary>
    public Tensor Prefill(IReadOnlyList<int> tokens, int chunkSize = 512, CancellationToken cancellation = default) =>
        Generate.Prefill(this, tokens, chunkSize, cancellation);

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
        return Forward([token]);
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

    /// <summary>
    /// Decodes up to <paramref name="steps"/> greedy tokens on the full cache for their queries only, then forgets them
    /// (<see cref="Lookahead.Run"/>); the session holds the same tokens as before. Returns how many were decoded: 0 when
    /// the cache is not a full one that remembers enough queries (a reused, already compressed cache).
    /// </summary>
    public int LookAhead(Tensor logits, int steps, int promptWindow, IReadOnlySet<int> stopIds, CancellationToken ct = default)
    {
        if (steps <= 0 || Cache is not DenseKvCache dense || dense.ObservationWindow < promptWindow + steps) return 0;
        int prompt = _tokens.Count;
        try
        {
            return Lookahead.Run(dense, logits, steps, stopIds, Step, ct).Count;
        }
        finally
        {
            _tokens.RemoveRange(prompt, _tokens.Count - prompt);
        }
    }

    /// <summary>Swaps in another cache holding the same sequence (after compression); the old one is disposed.</summary>
    public void ReplaceCache(IKvCache cache)
    {
        if (ReferenceEquals(cache, Cache)) return;
        Cache.Dispose();
        Cache = cache;
    }

    /// <summary>Runs tokens through the model in one pass, appends them, and returns the logits [vocab] (f32) of the last.</summary>
    public Tensor Forward(IReadOnlyList<int> ids)
    {
        if (ids.Count == 0) throw new ArgumentException("No tokens to run.", nameof(ids));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var input = tensor(ids.Select(i => (long)i).ToArray()).unsqueeze(0);
        var hidden = _decoder.Hidden(input, _tokens.Count, Cache);
        _tokens.AddRange(ids);
        return _decoder.Logits(hidden[0, -1]).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _step?.Dispose();
        Cache.Dispose();
    }
}
