using CoKv.Decoding;
using TorchSharp;
using static TorchSharp.torch;

namespace CoKv.Generation;

/// <summary>
/// Picks the next token from logits. Draws use a managed generator seeded once per sampler, so a seed gives the same
/// text whatever the thread count.
/// </summary>
public sealed class Sampler
{
    readonly SamplingOptions _options;
    readonly Random _random;

    public Sampler(SamplingOptions options)
    {
        options.Validate();
        _options = options;
        _random = new Random(options.Seed);
    }

    /// <summary>logits: [vocab] f32. history: the ids so far (prompt and generated), for the repetition penalty.</summary>
    /// <param name="allowed">Constrained decoding: only ids marked true may be drawn (null: all).</param>
    public int Next(Tensor logits, IReadOnlyCollection<int> history, bool[]? allowed = null)
    {
        using var scope = NewDisposeScope();
        var scores = logits.to(ScalarType.Float32).flatten();
        if (allowed is not null) scores = Mask(scores, allowed);
        if (_options.RepetitionPenalty != 1.0 && history.Count > 0)
            scores = ApplyRepetitionPenalty(scores, history, _options.RepetitionPenalty);
        if (_options.Temperature == 0) return (int)scores.argmax().item<long>();

        using var temperature = _options.Temperature.ToScalar();
        scores = scores.div(temperature);
        if (_options.TopK > 0 && _options.TopK < scores.shape[0])
        {
            var kth = scores.topk(_options.TopK).values[-1];
            scores = scores.masked_fill(scores.lt(kth), HeldScalars.NegativeInfinity);
        }
        var probabilities = scores.softmax(0);
        if (_options.TopP < 1.0) probabilities = Nucleus(probabilities, _options.TopP);
        return Draw(probabilities.data<float>().ToArray());
    }

    /// <summary>
    /// CTRL's penalty (Keskar et al. 2019) as llama.cpp and Hugging Face apply it: a logit of a token already in the
    /// history is divided by the penalty when positive and multiplied by it when negative.
    /// </summary>
    public static Tensor ApplyRepetitionPenalty(Tensor scores, IReadOnlyCollection<int> history, double penalty)
    {
        if (history.Count == 0) return scores.clone();
        var ids = tensor(history.Distinct().Select(i => (long)i).ToArray());
        var seen = scores.index_select(0, ids);
        using var factor = penalty.ToScalar();
        var penalised = where(seen.gt(HeldScalars.Zero), seen.div(factor), seen.mul(factor));
        return scores.index_copy(0, ids, penalised);
    }

    static Tensor Mask(Tensor scores, bool[] allowed)
    {
        int vocab = (int)scores.shape[0];
        if (allowed.Length < vocab) throw new ArgumentException($"The mask has {allowed.Length} entries for {vocab} logits.", nameof(allowed));
        if (Array.IndexOf(allowed, true, 0, vocab) < 0) throw new InvalidOperationException("Constrained decoding allows no token of the vocabulary at this step.");
        var keep = tensor(allowed.AsSpan(0, vocab).ToArray());
        return scores.masked_fill(keep.logical_not(), HeldScalars.NegativeInfinity);
    }

    static Tensor Nucleus(Tensor probabilities, double topP)
    {
        var (sorted, order) = probabilities.sort(descending: true);
        var before = sorted.cumsum(0) - sorted;
        // A token stays if the mass before it is still short of p: the most likely token always stays.
        using var mass = topP.ToScalar();
        var keptSorted = sorted.masked_fill(before.ge(mass), HeldScalars.Zero);
        var kept = zeros_like(probabilities).scatter(0, order, keptSorted);
        return kept / kept.sum();
    }

    int Draw(float[] probabilities)
    {
        double total = 0;
        foreach (var p in probabilities) total += p;
        double target = _random.NextDouble() * total, running = 0;
        int last = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            if (probabilities[i] <= 0) continue;
            running += probabilities[i];
            last = i;
            if (running >= target) return i;
        }
        return last;
    }
}
