using System.Text;
using CoKv.Common;

namespace CoKv.Datasets.Synthetic;

public enum NeedleKind
{
    /// <summary>One key, one value, asked for.</summary>
    Single,
    /// <summary>Several keys, one value each; one key is asked for, the others distract.</summary>
    MultiKey,
    /// <summary>One key with several values; all are asked for.</summary>
    MultiValue,
    /// <summary>Several keys, one value each; all are asked for.</summary>
    MultiQuery,
}

/// <summary>
/// Needle in a haystack (RULER's niah tasks): sentences "One of the special magic numbers for KEY is: VALUE."
/// inserted at seeded depths of a haystack; the question names the key(s), the answers are the 7-digit values.
/// </summary>
public sealed class NeedleGenerator(NeedleKind kind, Haystack? haystack = null) : SyntheticGenerator
{
    readonly Haystack _haystack = haystack ?? Haystack.Noise;

    public NeedleKind Kind => kind;

    /// <summary>Keys in MultiKey/MultiQuery, values in MultiValue.</summary>
    public int Multiplicity { get; init; } = 4;

    public override string Dataset => kind switch
    {
        NeedleKind.Single => SyntheticDatasets.NeedleSingle,
        NeedleKind.MultiKey => SyntheticDatasets.NeedleMultiKey,
        NeedleKind.MultiValue => SyntheticDatasets.NeedleMultiValue,
        _ => SyntheticDatasets.NeedleMultiQuery,
    };

    protected override SyntheticItem Build(long itemSeed, int sampleIndex, int size)
    {
        var rng = new SeededRandom(itemSeed);
        var keyCount = kind is NeedleKind.MultiKey or NeedleKind.MultiQuery ? Multiplicity : 1;
        var valuesPerKey = kind == NeedleKind.MultiValue ? Multiplicity : 1;
        var words = PseudoWords.Take(rng.Next(int.MaxValue), keyCount * 2);
        var keys = Enumerable.Range(0, keyCount).Select(k => words[2 * k] + "-" + words[2 * k + 1]).ToArray();
        var usedValues = new HashSet<int>();
        var needles = new List<(double Depth, string Text)>();
        var valuesOf = new List<string>[keyCount];
        for (var k = 0; k < keyCount; k++)
        {
            valuesOf[k] = [];
            for (var v = 0; v < valuesPerKey; v++)
            {
                int value;
                do value = rng.Next(1_000_000, 10_000_000); while (!usedValues.Add(value));
                valuesOf[k].Add(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
                needles.Add((rng.NextDouble(), $"One of the special magic numbers for {keys[k]} is: {value}."));
            }
        }
        var start = rng.Next(1 << 20);

        // Depths are fractions drawn before the size is known, so a needle stays at the same relative depth
        // while the haystack grows.
        var slots = needles.Select((n, i) => (Pos: (int)Math.Floor(n.Depth * (size + 1)), Order: i, n.Text))
            .OrderBy(x => x.Pos).ThenBy(x => x.Order).ToList();
        var sb = new StringBuilder();
        var next = 0;
        for (var s = 0; s <= size; s++)
        {
            while (next < slots.Count && slots[next].Pos == s) Append(sb, slots[next++].Text);
            if (s < size) Append(sb, _haystack.Sentence(start + s));
        }
        while (next < slots.Count) Append(sb, slots[next++].Text);

        string input;
        IReadOnlyList<string> answers;
        switch (kind)
        {
            case NeedleKind.MultiKey:
                var asked = rng.Next(keyCount);
                input = $"What is the special magic number for {keys[asked]} mentioned in the provided text?";
                answers = valuesOf[asked];
                break;
            case NeedleKind.MultiQuery:
                input = $"What are all the special magic numbers for {string.Join(", ", keys[..^1])}, and {keys[^1]} mentioned in the provided text?";
                answers = valuesOf.SelectMany(v => v).ToArray();
                break;
            case NeedleKind.MultiValue:
                input = $"What are all the special magic numbers for {keys[0]} mentioned in the provided text?";
                answers = valuesOf[0];
                break;
            default:
                input = $"What is the special magic number for {keys[0]} mentioned in the provided text?";
                answers = valuesOf[0];
                break;
        }
        return new SyntheticItem(sb.ToString(), input, answers);
    }

    static void Append(StringBuilder sb, string sentence)
    {
        if (sb.Length > 0) sb.Append(' ');
        sb.Append(sentence);
    }
}
