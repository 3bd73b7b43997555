using CoKv.Common;

namespace CoKv.Datasets.Synthetic;

/// <summary>
/// RULER's frequent-words extraction: coded words drawn with Zipf-like frequencies (count of rank r ∝ 1/r^α);
/// the answer is the three most frequent. The size is the count of the most frequent word.
/// </summary>
public sealed class FrequentWordsGenerator : SyntheticGenerator
{
    public double Alpha { get; init; } = 2.0;
    public int TopWords { get; init; } = 3;

    public override string Dataset => SyntheticDatasets.FrequentWords;

    /// <summary>Counts are floor(size / r^α); below this the top words could tie with the next one.</summary>
    protected override int MinSize => (int)Math.Ceiling(Math.Pow(TopWords + 1, Alpha)) * 2;

    protected override SyntheticItem Build(long itemSeed, int sampleIndex, int size)
    {
        var rng = new SeededRandom(itemSeed);
        var counts = new List<int>();
        for (var r = 1; ; r++)
        {
            var c = (int)Math.Floor(size / Math.Pow(r, Alpha));
            if (c == 0) break;
            counts.Add(c);
        }
        // Fixed minimum vocabulary so the answers exist even for the smallest size.
        var words = PseudoWords.Take(rng.Next(int.MaxValue), Math.Max(counts.Count, TopWords + 1), 1, 2);
        var list = new List<string>();
        for (var r = 0; r < counts.Count; r++)
            for (var k = 0; k < counts[r]; k++) list.Add(words[r]);
        new SeededRandom(itemSeed ^ size).Shuffle(list);

        var input = $"Question: Do not provide any explanation. Please ignore the dots '....'. What are the {TopWords} most frequently appeared words in the above coded text?";
        return new SyntheticItem(string.Join(" .... ", list), input, words.Take(TopWords).ToArray());
    }
}
