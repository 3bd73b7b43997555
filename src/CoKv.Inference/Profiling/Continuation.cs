using CoKv.Cache;
using CoKv.Decoding;
using static TorchSharp.torch;

namespace CoKv.Profiling;

/// <summary>What a prompt's compressed cache makes of the answer: the gold answer's log-likelihood, or a greedy answer.</summary>
public static class Continuation
{
    /// <summary>
    /// Mean log-probability per gold token, teacher-forced: the gold tokens but the last go into the compressed cache in
    /// one multi-token step, whose logits score the gold tokens after the first.
    /// </summary>
    public static double GoldLogLikelihood(Decoder decoder, PrefilledSample prefilled, IKvCache compressed)
    {
        var gold = prefilled.Sample.Gold;
        double total = prefilled.FirstGoldLogProb;
        if (gold.Length > 1)
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var input = tensor(gold[..^1].Select(t => (long)t).ToArray()).unsqueeze(0);
            var logProbs = decoder.Logits(decoder.Hidden(input, prefilled.PromptLength, compressed)[0]).log_softmax(-1);
            var targets = tensor(gold[1..].Select(t => (long)t).ToArray()).unsqueeze(1);
            total += logProbs.gather(1, targets).sum().to(ScalarType.Float64).item<double>();
        }
        return total / gold.Length;
    }

    /// <summary>Greedy tokens after the prompt, until a stop id or <paramref name="maxNewTokens"/> (the stop id is left out).</summary>
    public static List<int> Greedy(Decoder decoder, PrefilledSample prefilled, IKvCache compressed, int maxNewTokens, IReadOnlySet<int> stopIds, CancellationToken ct = default)
    {
        var tokens = new List<int>();
        int next = prefilled.FirstGreedyToken;
        long position = prefilled.PromptLength;
        using var noGrad = no_grad();
        while (tokens.Count < maxNewTokens && !stopIds.Contains(next))
        {
            ct.ThrowIfCancellationRequested();
            tokens.Add(next);
            if (tokens.Count == maxNewTokens) break;
            using var scope = NewDisposeScope();
            var hidden = decoder.Hidden(tensor(new long[] { next }).unsqueeze(0), position++, compressed);
            next = (int)decoder.Logits(hidden[0, -1]).argmax().item<long>();
        }
        return tokens;
    }
}
