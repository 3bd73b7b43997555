namespace CoKv.Training;

/// <summary>The kinds of documents the default model learns from, each with its question.</summary>
public enum TrainingTask
{
    /// <summary>One fact in filler text; asked for it.</summary>
    SingleNeedle,
    /// <summary>Four facts in filler text; asked for two of them.</summary>
    MultiNeedle,
    /// <summary>A list of "key value ;" records, some repeated; asked for one.</summary>
    KeyValue,
    /// <summary>A chain of names a value is copied along, in filler text; asked for every name in the chain.</summary>
    VariableTracking,
    /// <summary>A list of words where one repeats far more than the others; asked which.</summary>
    FrequentWord,
    /// <summary>Random words, then the same words again: copying practice (not asked about, not evaluated).</summary>
    Continuation,
}

/// <summary>A sample as words: the user's message is <see cref="Document"/> followed by <see cref="Question"/>.
/// <see cref="RecallWords"/> are the indices of the document's words that repeat a value after its key.</summary>
public sealed record TaskText(TrainingTask Task, string Document, string Question, string Answer, string[] Facts, int[] RecallWords);
