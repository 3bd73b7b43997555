using System.Diagnostics;
using CoKv.Cache;
using static TorchSharp.torch;

namespace CoKv.Benchmarks;

/// <summary>
/// Times one decode step's attention (one layer, one new token) over KV heads of different lengths, laid out three ways,
/// so the choice behind <see cref="HeadBudgetedKvCache"/> can be re-measured on any machine (<c>cokv bench --layouts</c>):
/// a loop over per-head tensors; heads padded to the longest with a mask (one bucket); one flat buffer per layer with
/// per-head offsets and a block mask, through SDPA, through matmul + masked softmax, and through one addmm onto a
/// precomputed additive mask (what the cache uses). The dense cache at the same mean is the reference.
/// </summary>
public static class DecodeAttentionLayouts
{
    public sealed record Timing(string Layout, int MeanBudget, double MicrosecondsPerLayer);

    /// <summary>Skewed budgets with the given mean: a geometric spread so one head holds much more than another.</summary>
    public static int[] SkewedBudgets(int kvHeads, int mean)
    {
        var weights = Enumerable.Range(0, kvHeads).Select(h => Math.Pow(4, h)).ToArray();
        double sum = weights.Sum();
        return weights.Select(w => Math.Max(8, (int)Math.Round(w / sum * mean * kvHeads))).ToArray();
    }

    public static IReadOnlyList<Timing> Run(int heads, int kvHeads, int headDim, IEnumerable<int> meanBudgets, int generated, int iterations, TextWriter log)
    {
        var results = new List<Timing>();
        using var noGrad = no_grad();
        foreach (int mean in meanBudgets)
        {
            using var scope = NewDisposeScope();
            var lengths = SkewedBudgets(kvHeads, mean).Select(b => b + generated).ToArray();
            int group = heads / kvHeads, total = lengths.Sum(), longest = lengths.Max();
            var q = randn(heads, 1, headDim);
            var perHeadK = lengths.Select(n => randn(n, headDim)).ToArray();
            var perHeadV = lengths.Select(n => randn(n, headDim)).ToArray();
            var flatK = cat(perHeadK, 0);
            var flatV = cat(perHeadV, 0);
            var flatMask = zeros(heads, total, ScalarType.Bool);
            var paddedK = zeros(kvHeads, longest, headDim);
            var paddedV = zeros(kvHeads, longest, headDim);
            var paddedMask = zeros(kvHeads, 1, longest, ScalarType.Bool);
            for (int h = 0, offset = 0; h < kvHeads; offset += lengths[h], h++)
            {
                flatMask.narrow(0, h * group, group).narrow(1, offset, lengths[h]).fill_(true);
                paddedK[h].narrow(0, 0, lengths[h]).copy_(perHeadK[h]);
                paddedV[h].narrow(0, 0, lengths[h]).copy_(perHeadV[h]);
                paddedMask[h].narrow(1, 0, lengths[h]).fill_(true);
            }
            var denseK = randn(kvHeads, mean + generated, headDim);
            var denseV = randn(kvHeads, mean + generated, headDim);

            Tensor Loop()
            {
                var outputs = new Tensor[kvHeads];
                for (int h = 0; h < kvHeads; h++)
                    outputs[h] = nn.functional.scaled_dot_product_attention(
                        q.narrow(0, h * group, group).view(1, group, headDim), perHeadK[h].unsqueeze(0), perHeadV[h].unsqueeze(0));
                return cat(outputs, 1).view(heads, 1, headDim);
            }
            Tensor Padded() => nn.functional.scaled_dot_product_attention(
                q.view(kvHeads, group, headDim), paddedK, paddedV, paddedMask).view(heads, 1, headDim);
            Tensor Flat() => nn.functional.scaled_dot_product_attention(
                q.view(1, heads, headDim), flatK.unsqueeze(0), flatV.unsqueeze(0), flatMask.unsqueeze(0)).view(heads, 1, headDim);
            Tensor FlatManual()
            {
                var scores = q.view(heads, headDim).matmul(flatK.t()).mul_(1.0 / Math.Sqrt(headDim));
                scores.masked_fill_(flatMask.logical_not(), double.NegativeInfinity);
                return scores.softmax(-1).matmul(flatV).view(heads, 1, headDim);
            }
            var flatBias = zeros(heads, total).masked_fill_(flatMask.logical_not(), double.NegativeInfinity);
            Tensor FlatAddmm() => flatBias.addmm(q.view(heads, headDim), flatK.t(), 1, (float)(1.0 / Math.Sqrt(headDim)))
                .softmax(-1).matmul(flatV).view(heads, 1, headDim);
            Tensor Dense() => GroupedAttention.Causal(q, denseK, denseV);

            var reference = Loop();
            foreach (var (name, kernel) in new (string, Func<Tensor>)[] { ("loop-per-head", Loop), ("padded-mask", Padded), ("flat-offsets", Flat), ("flat-offsets-matmul", FlatManual), ("flat-offsets-addmm", FlatAddmm), ("dense(same mean)", Dense) })
            {
                if (!name.StartsWith("dense", StringComparison.Ordinal))
                {
                    double error = (kernel() - reference).abs().max().item<float>();
                    if (error > 1e-4) throw new InvalidOperationException($"{name} differs from the loop by {error}.");
                }
                for (int i = 0; i < 20; i++) { using var s = NewDisposeScope(); kernel(); }
                var samples = new double[iterations];
                for (int i = 0; i < iterations; i++)
                {
                    using var s = NewDisposeScope();
                    long start = Stopwatch.GetTimestamp();
                    kernel();
                    samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                }
                Array.Sort(samples);
                var timing = new Timing(name, mean, samples[iterations / 2]);
                results.Add(timing);
                log.WriteLine($"{name,-20} B={mean,5} lengths=[{string.Join(",", lengths)}] {timing.MicrosecondsPerLayer,9:F1} µs/layer");
            }
        }
        return results;
    }
}
