using System.Text;
using CoKv.Common;

namespace CoKv.Datasets.Synthetic;

/// <summary>A question whose answer is in <see cref="Document"/>.</summary>
public sealed record QaItem(string Document, string Question, IReadOnlyList<string> Answers);

/// <summary>
/// RULER-style document QA: the gold document among distractor documents (from text files), numbered, the gold one
/// at a seeded depth; the size is the number of distractors. Questions come from the caller (e.g. SQuAD-like
/// items), because a question generator would need a model.
/// </summary>
public sealed class DocumentQaGenerator : SyntheticGenerator
{
    readonly IReadOnlyList<QaItem> _items;
    readonly IReadOnlyList<string> _distractors;

    public DocumentQaGenerator(IReadOnlyList<QaItem> items, IReadOnlyList<string> distractorDocuments)
    {
        if (items.Count == 0) throw new ArgumentException("Need at least one QA item.", nameof(items));
        _items = items;
        _distractors = distractorDocuments.Where(d => !string.IsNullOrWhiteSpace(d)).Select(d => d.Trim()).ToArray();
    }

    /// <summary>Each file is one distractor document.</summary>
    public static DocumentQaGenerator FromFiles(IReadOnlyList<QaItem> items, IEnumerable<string> distractorFiles) =>
        new(items, distractorFiles.Order(StringComparer.Ordinal).Select(File.ReadAllText).ToArray());

    public override string Dataset => SyntheticDatasets.DocumentQa;

    protected override int MaxSize => _distractors.Count;

    protected override SyntheticItem Build(long itemSeed, int sampleIndex, int size)
    {
        var rng = new SeededRandom(itemSeed);
        var item = _items[sampleIndex % _items.Count];
        var gold = item.Document.Trim();
        // One permutation per sample, of which the first `size` are used: growing the size only appends documents.
        var order = Enumerable.Range(0, _distractors.Count).Where(i => _distractors[i] != gold).ToList();
        rng.Shuffle(order);
        var chosen = order.Take(size).Select(i => _distractors[i]).ToList();
        var goldAt = (int)Math.Floor(rng.NextDouble() * (chosen.Count + 1));
        chosen.Insert(goldAt, gold);

        var sb = new StringBuilder();
        for (var i = 0; i < chosen.Count; i++)
        {
            if (i > 0) sb.Append("\n\n");
            sb.Append("Document ").Append(i + 1).Append(":\n").Append(chosen[i]);
        }
        return new SyntheticItem(sb.ToString(), item.Question, item.Answers);
    }
}
