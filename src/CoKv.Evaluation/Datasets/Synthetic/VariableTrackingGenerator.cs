using System.Text;
using CoKv.Common;

namespace CoKv.Datasets.Synthetic;

/// <summary>
/// RULER's variable tracking: "VAR AAAAA = 12345." then hops "VAR BBBBB = VAR AAAAA." spread through noise;
/// the question asks for every variable that ends up holding the value. Needs multi-hop retrieval, not one lookup.
/// </summary>
public sealed class VariableTrackingGenerator(Haystack? haystack = null) : SyntheticGenerator
{
    readonly Haystack _haystack = haystack ?? Haystack.Noise;

    public int Chains { get; init; } = 1;
    public int Hops { get; init; } = 4;

    public override string Dataset => SyntheticDatasets.VariableTracking;

    protected override SyntheticItem Build(long itemSeed, int sampleIndex, int size)
    {
        var rng = new SeededRandom(itemSeed);
        var names = new HashSet<string>();
        string NewName()
        {
            string n;
            do n = new string(Enumerable.Range(0, 5).Select(_ => (char)('A' + rng.Next(26))).ToArray()); while (!names.Add(n));
            return n;
        }

        var statements = new List<string>();
        string[]? firstChain = null;
        string? firstValue = null;
        var values = new HashSet<int>();
        for (var c = 0; c < Chains; c++)
        {
            int value;
            do value = rng.Next(10_000, 100_000); while (!values.Add(value));
            var chain = Enumerable.Range(0, Hops + 1).Select(_ => NewName()).ToArray();
            statements.Add($"VAR {chain[0]} = {value}.");
            for (var h = 1; h <= Hops; h++) statements.Add($"VAR {chain[h]} = VAR {chain[h - 1]}.");
            firstChain ??= chain;
            firstValue ??= value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        // Sorted depths keep each chain in order (a hop never precedes its source), at stable relative depths.
        var depths = statements.Select(_ => rng.NextDouble()).Order().ToArray();
        var start = rng.Next(1 << 20);

        var sb = new StringBuilder();
        var next = 0;
        for (var s = 0; s <= size; s++)
        {
            while (next < statements.Count && (int)Math.Floor(depths[next] * (size + 1)) == s) Append(sb, statements[next++]);
            if (s < size) Append(sb, _haystack.Sentence(start + s));
        }
        while (next < statements.Count) Append(sb, statements[next++]);

        var input = $"Question: Find all variables that are assigned the value {firstValue} in the text above.";
        return new SyntheticItem(sb.ToString(), input, firstChain!);
    }

    static void Append(StringBuilder sb, string sentence)
    {
        if (sb.Length > 0) sb.Append(' ');
        sb.Append(sentence);
    }
}
