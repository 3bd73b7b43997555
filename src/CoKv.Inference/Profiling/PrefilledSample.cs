using CoKv.Cache;
using CoKv.Decoding;
using static TorchSharp.torch;

namespace CoKv.Profiling;

/// <summary>
/// A sample's prompt run once through the model into a full cache that is kept: every coalition, policy or budget
/// then builds its compressed cache from it, so a utility evaluation costs a copy and a short forward pass, never a
/// prefill. Also keeps what the full-cache prefill says about the first answer token, which no compression changes
/// (compression happens after the prompt's last logits).
/// </summary>
public sealed class PrefilledSample : IDisposable
{
    PrefilledSample(PreparedSample sample, DenseKvCache cache, double firstGoldLogProb, int firstGreedyToken)
    {
        Sample = sample;
        Cache = cache;
        FirstGoldLogProb = firstGoldLogProb;
        FirstGreedyToken = firstGreedyToken;
    }

    public PreparedSample Sample { get; }
    public DenseKvCache Cache { get; }
    public int PromptLength => Sample.Prompt.Length;
    /// <summary>log p(gold[0] | prompt).</summary>
    public double FirstGoldLogProb { get; }
    /// <summary>argmax of the prompt's last logits: the first token of a greedy answer.</summary>
    public int FirstGreedyToken { get; }

    /// <param name="observationWindow">Queries the cache remembers for SnapKV scoring (0 when only coalitions are built).</param>
    /// <param name="queryStride">Keep the prompt queries of every S-th position too (the prompt-attention term; 0: none).</param>
    /// <param name="lookahead">Then decode up to this many greedy answer tokens for their queries only
    /// (<see cref="Generation.Lookahead"/>; at most the sample's answer limit, ended by <paramref name="stopIds"/>); the observation
    /// window must include them.</param>
    public static PrefilledSample Run(Decoder decoder, PreparedSample sample, int observationWindow = 0, int chunkSize = 512, CancellationToken ct = default,
        int queryStride = 0, int lookahead = 0, IReadOnlySet<int>? stopIds = null)
    {
        ArgumentNullException.ThrowIfNull(sample);
        lookahead = Math.Min(lookahead, sample.MaxNewTokens);
        var cache = decoder.CreateCache(sample.Prompt.Length + Math.Max(lookahead, 0), observationWindow, queryStride);
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            Tensor? last = null;
            for (int start = 0; start < sample.Prompt.Length; start += chunkSize)
            {
                ct.ThrowIfCancellationRequested();
                int count = Math.Min(chunkSize, sample.Prompt.Length - start);
                var input = tensor(sample.Prompt.Skip(start).Take(count).Select(t => (long)t).ToArray()).unsqueeze(0);
                last = decoder.Hidden(input, start, cache)[0, -1];
            }
            var logProbs = decoder.Logits(last!).log_softmax(-1);
            double first = logProbs[sample.Gold[0]].item<float>();
            int greedy = (int)logProbs.argmax().item<long>();
            if (lookahead > 0)
            {
                long position = sample.Prompt.Length;
                Generation.Lookahead.Run(cache, logProbs, lookahead, stopIds ?? new HashSet<int>(),
                    token => decoder.Logits(decoder.Hidden(tensor(new long[] { token }).unsqueeze(0), position++, cache)[0, -1]), ct);
            }
            return new PrefilledSample(sample, cache, first, greedy);
        }
        catch
        {
            cache.Dispose();
            throw;
        }
    }

    public void Dispose() => Cache.Dispose();
}
