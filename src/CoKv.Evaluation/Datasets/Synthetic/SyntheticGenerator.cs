using CoKv.Common;
using CoKv.Tokenization;

namespace CoKv.Datasets.Synthetic;

/// <summary>
/// A RULER-style generator. Each sample is built from a per-sample seed and a "size" (haystack sentences, list
/// words, distractor documents ...); the size is searched so that the formatted prompt, encoded by the model's
/// tokenizer, is as long as possible without passing the target. Same seed, tokenizer and target: same samples.
/// </summary>
public abstract class SyntheticGenerator
{
    /// <summary>The dataset name written into each sample, a key of <see cref="DatasetCatalog"/>.</summary>
    public abstract string Dataset { get; }

    /// <summary>Category written into each sample; defaults to the catalog's.</summary>
    public string? Category { get; init; }

    /// <summary>A sample shorter than this fraction of the target is an error (the source text ran out).</summary>
    public double MinFillFraction { get; init; } = 0.95;

    public IReadOnlyList<TaskSample> Generate(ITokenizer tokenizer, int targetTokens, int count, long seed)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (targetTokens <= 0) throw new ArgumentOutOfRangeException(nameof(targetTokens));
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count));
        var info = DatasetCatalog.Get(Dataset);
        var samples = new List<TaskSample>(count);
        for (var i = 0; i < count; i++)
        {
            // Per-sample seeds: sample i is the same whether 10 or 1000 are generated.
            var itemSeed = unchecked((long)SeededRandom.ForItem(seed, i).NextUInt64());
            var fit = Fit(tokenizer, info, targetTokens, itemSeed, i);
            samples.Add(new TaskSample(
                Id: $"{Dataset}-{seed}-{i}",
                Dataset: Dataset,
                Category: Category ?? info.Category,
                Context: fit.Item.Context,
                Input: fit.Item.Input,
                Answers: fit.Item.Answers,
                AllClasses: null,
                Length: fit.Tokens));
        }
        return samples;
    }

    /// <summary>Builds one sample of the given size. Must depend only on its arguments (create RNGs from
    /// <paramref name="itemSeed"/>), and its prompt should grow with <paramref name="size"/>.</summary>
    protected abstract SyntheticItem Build(long itemSeed, int sampleIndex, int size);

    /// <summary>Smallest meaningful size.</summary>
    protected virtual int MinSize => 0;

    /// <summary>Largest size the source material allows.</summary>
    protected virtual int MaxSize => 1 << 24;

    (SyntheticItem Item, int Tokens) Fit(ITokenizer tokenizer, DatasetInfo info, int target, long itemSeed, int index)
    {
        var cache = new Dictionary<int, (SyntheticItem, int)>();
        (SyntheticItem Item, int Tokens) At(int size)
        {
            if (!cache.TryGetValue(size, out var r))
            {
                var item = Build(itemSeed, index, size);
                var tokens = tokenizer.Encode(info.FormatPrompt(item.Context, item.Input), addBos: false, parseSpecial: false).Count;
                cache[size] = r = (item, tokens);
            }
            return r;
        }

        var lo = MinSize;
        if (At(lo).Tokens > target)
            throw new InvalidOperationException(
                $"{Dataset}: even the smallest sample is {At(lo).Tokens} tokens, over the target of {target}. Raise the target or shrink the generator's fixed parts.");
        // Grow geometrically until past the target, then bisect: O(log size) encodes per sample.
        var hi = Math.Max(lo + 1, 1);
        while (hi < MaxSize && At(hi).Tokens <= target)
        {
            lo = hi;
            hi = (int)Math.Min((long)hi * 2, MaxSize);
        }
        if (At(hi).Tokens <= target) lo = hi;
        else
            while (hi - lo > 1)
            {
                var mid = lo + (hi - lo) / 2;
                if (At(mid).Tokens <= target) lo = mid; else hi = mid;
            }

        var best = At(lo);
        if (best.Tokens < MinFillFraction * target)
            throw new InvalidOperationException(
                $"{Dataset}: source material ran out at {best.Tokens} tokens (target {target}); give more text.");
        return best;
    }
}

/// <summary>What a generator builds: the context, the question and the answers.</summary>
public sealed record SyntheticItem(string Context, string Input, IReadOnlyList<string> Answers);
