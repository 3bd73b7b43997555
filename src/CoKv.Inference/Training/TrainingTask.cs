namespace CoKv.Training;

/// <summary>The kinds of documents the default model learns from, each with its question.</summary>
public enum TrainingTask
{
    /// <summary>One fact in filler text; asked for it.</summary>
    SingleNeedle,
    /// <summary>Four facts in filler text; asked for two of them.</summary>
    MultiNeedle,
    /// <summary>A list of key : value records; asked for one.</summary>
    KeyValue,
    /// <summary>A chain of names bound to a value in filler text; asked for every name in the chain.</summary>
    VariableTracking,
    /// <summary>A list of words where one repeats far more than the others; asked which.</summary>
    FrequentWord,
    /// <summary>Filler text alone, learned as plain language modelling.</summary>
    Continuation,
}

/// <summary>One training or evaluation sequence: tokens, a loss weight per target, and where the answer starts.</summary>
public sealed record TrainingSample(TrainingTask Task, int[] Tokens, float[] Weights, int AnswerStart, string[] Facts);

/// <summary>A sample as words: the user's message is <see cref="Document"/> followed by <see cref="Question"/>.</summary>
public sealed record TaskText(TrainingTask Task, string Document, string Question, string Answer, string[] Facts);
