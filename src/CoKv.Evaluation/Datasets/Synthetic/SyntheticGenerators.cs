namespace CoKv.Datasets.Synthetic;

/// <summary>The built-in generators that need no source material, by dataset name.</summary>
public static class SyntheticGenerators
{
    public static IReadOnlyList<string> Names { get; } =
    [
        SyntheticDatasets.NeedleSingle, SyntheticDatasets.NeedleMultiKey, SyntheticDatasets.NeedleMultiValue,
        SyntheticDatasets.NeedleMultiQuery, SyntheticDatasets.VariableTracking, SyntheticDatasets.CommonWords,
        SyntheticDatasets.FrequentWords,
    ];

    /// <param name="haystack">Filler for the needle and variable-tracking tasks; noise when null.</param>
    public static SyntheticGenerator Create(string dataset, Haystack? haystack = null) => dataset switch
    {
        SyntheticDatasets.NeedleSingle => new NeedleGenerator(NeedleKind.Single, haystack),
        SyntheticDatasets.NeedleMultiKey => new NeedleGenerator(NeedleKind.MultiKey, haystack),
        SyntheticDatasets.NeedleMultiValue => new NeedleGenerator(NeedleKind.MultiValue, haystack),
        SyntheticDatasets.NeedleMultiQuery => new NeedleGenerator(NeedleKind.MultiQuery, haystack),
        SyntheticDatasets.VariableTracking => new VariableTrackingGenerator(haystack),
        SyntheticDatasets.CommonWords => new CommonWordsGenerator(),
        SyntheticDatasets.FrequentWords => new FrequentWordsGenerator(),
        SyntheticDatasets.DocumentQa => throw new ArgumentException("doc_qa needs QA items and distractor documents: construct DocumentQaGenerator."),
        _ => throw new ArgumentException($"No synthetic generator named '{dataset}'. Known: {string.Join(", ", Names)}."),
    };
}
