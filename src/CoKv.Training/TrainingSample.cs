namespace CoKv.Training;

/// <summary>What a token is for the loss, as the target of the position before it.</summary>
public enum TokenRole : byte
{
    /// <summary>Document text: plain language modelling, weighed least.</summary>
    Context,
    /// <summary>A value the document repeats after a key it gave before: retrieval practice inside the document.</summary>
    Recall,
    /// <summary>The assistant's answer.</summary>
    Answer,
}

/// <summary>One training or evaluation sequence: tokens, each token's role as a target, and where the answer starts.</summary>
public sealed record TrainingSample(TrainingTask Task, int[] Tokens, TokenRole[] Roles, int AnswerStart, string[] Facts);
