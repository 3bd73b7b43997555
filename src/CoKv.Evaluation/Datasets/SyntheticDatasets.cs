namespace CoKv.Datasets;

/// <summary>Names of the built-in RULER-style synthetic datasets (the <see cref="TaskSample.Dataset"/> they write).</summary>
public static class SyntheticDatasets
{
    public const string NeedleSingle = "niah_single";
    public const string NeedleMultiKey = "niah_multikey";
    public const string NeedleMultiValue = "niah_multivalue";
    public const string NeedleMultiQuery = "niah_multiquery";
    public const string VariableTracking = "variable_tracking";
    public const string CommonWords = "common_words";
    public const string FrequentWords = "frequent_words";
    public const string DocumentQa = "doc_qa";

    /// <summary>Our own wording, in the spirit of RULER's templates: instruction, context, question.</summary>
    internal static readonly IReadOnlyDictionary<string, string> Templates = new Dictionary<string, string>
    {
        [NeedleSingle] = Needle,
        [NeedleMultiKey] = Needle,
        [NeedleMultiValue] = Needle,
        [NeedleMultiQuery] = Needle,
        [VariableTracking] =
            "Memorize and track the chain(s) of variable assignment hidden in the following text.\n\n{context}\n\n{input}\nAnswer:",
        [CommonWords] =
            "Below is a numbered list of words. In these words, some appear more often than others. Memorize the ones that appear most often.\n\n{context}\n\n{input}\nAnswer:",
        [FrequentWords] =
            "Read the following coded text and track the frequency of each coded word. Find the three most frequently appeared coded words.\n\n{context}\n\n{input}\nAnswer:",
        [DocumentQa] =
            "Answer the question based on the given documents. Only give me the answer and do not output any other words.\n\n" +
            "The following are given documents.\n\n{context}\n\n" +
            "Answer the question based on the given documents. Only give me the answer and do not output any other words.\n\n" +
            "Question: {input}\nAnswer:",
    };

    const string Needle =
        "Some special magic numbers are hidden within the following text. Make sure to memorize them. I will quiz you about the numbers afterwards.\n\n{context}\n\n{input}\nAnswer:";
}
