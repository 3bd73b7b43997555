using static TorchSharp.torch;

namespace CoKv.Compression;

/// <summary>
/// The selection shared by every policy: head h keeps its top (b_h − w) prefix positions by score, in positional order,
/// plus the window's w tokens; a head whose budget reaches the prompt length keeps everything.
/// </summary>
public static class TokenSelector
{
    /// <summary>
    /// Positions kept by the heads of one layer. scores: [kvHeads, T − w] (null when every budget is full or window-only);
    /// budgets: that layer's budgets, already clamped to [w, T].
    /// </summary>
    public static long[][] SelectLayer(Tensor? scores, ReadOnlySpan<int> budgets, int promptLength, int window)
    {
        int prefix = promptLength - window;
        var kept = new long[budgets.Length][];
        long[]? topIndices = null;
        int widest = 0;
        for (int h = 0; h < budgets.Length; h++)
            if (budgets[h] < promptLength) widest = Math.Max(widest, budgets[h] - window);
        if (widest > 0)
        {
            if (scores is null) throw new ArgumentNullException(nameof(scores), "Scores are needed when a head keeps part of the prefix.");
            using var scope = NewDisposeScope();
            // One topk for the layer: each head's first k_h of its sorted top-`widest` are its own top k_h.
            topIndices = scores.topk(widest, dim: 1, largest: true, sorted: true).indexes.contiguous().data<long>().ToArray();
        }
        for (int h = 0; h < budgets.Length; h++)
        {
            if (budgets[h] >= promptLength)
            {
                kept[h] = Range(0, promptLength);
                continue;
            }
            int take = budgets[h] - window;
            var positions = new long[take + window];
            if (take > 0) Array.Copy(topIndices!, (long)h * widest, positions, 0, take);
            Array.Sort(positions, 0, take);
            for (int i = 0; i < window; i++) positions[take + i] = prefix + i;
            kept[h] = positions;
        }
        return kept;
    }

    static long[] Range(long start, long count)
    {
        var r = new long[count];
        for (long i = 0; i < count; i++) r[i] = start + i;
        return r;
    }
}
