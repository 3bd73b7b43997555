using System.Text;
using CoKv.Common;

namespace CoKv.Datasets.Synthetic;

/// <summary>
/// RULER's common-words extraction: a numbered list where a few words appear many times and many words appear a
/// few times; the answer is the frequent ones. Aggregation over the whole context, not retrieval of one spot.
/// </summary>
public sealed class CommonWordsGenerator : SyntheticGenerator
{
    public int CommonWords { get; init; } = 10;
    public int CommonFrequency { get; init; } = 30;
    public int UncommonFrequency { get; init; } = 3;

    public override string Dataset => SyntheticDatasets.CommonWords;

    protected override SyntheticItem Build(long itemSeed, int sampleIndex, int size)
    {
        if (CommonFrequency <= UncommonFrequency) throw new InvalidOperationException("Common words must be more frequent than the others.");
        var rng = new SeededRandom(itemSeed);
        var words = PseudoWords.Take(rng.Next(int.MaxValue), CommonWords + size);
        var list = new List<string>();
        for (var i = 0; i < words.Count; i++)
            for (var r = 0; r < (i < CommonWords ? CommonFrequency : UncommonFrequency); r++) list.Add(words[i]);
        new SeededRandom(itemSeed ^ size).Shuffle(list);

        var sb = new StringBuilder();
        for (var i = 0; i < list.Count; i++)
        {
            if (i > 0) sb.Append(' ');
            sb.Append(i + 1).Append(". ").Append(list[i]);
        }
        var input = $"Question: What are the {CommonWords} most common words in the above list?";
        return new SyntheticItem(sb.ToString(), input, words.Take(CommonWords).ToArray());
    }
}
