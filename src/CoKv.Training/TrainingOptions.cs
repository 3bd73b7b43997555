using CoKv.Models;

namespace CoKv.Training;

/// <summary>Everything that decides what <see cref="Trainer"/> produces: the same options give the same model.</summary>
public sealed record TrainingOptions
{
    public int Seed { get; init; } = 1234;
    public int Steps { get; init; } = 6000;
    public int TokensPerStep { get; init; } = 4096;
    public double LearningRate { get; init; } = 1e-3;
    public double FinalLearningRate { get; init; } = 1e-4;
    public int WarmupSteps { get; init; } = 100;
    public double WeightDecay { get; init; } = 0.05;
    public int EvaluateEvery { get; init; } = 250;
    public int EvaluationSamples { get; init; } = 8;
    public int CheckpointEvery { get; init; } = 100;
    public int Threads { get; init; } = 2;
    /// <summary>"cpu" or "cuda": the same program, only faster where a GPU is lent.</summary>
    public string Device { get; init; } = "cpu";
    public required string OutputDirectory { get; init; }

    /// <summary>
    /// 8 query heads and 4 KV heads in each of 4 layers: 16 KV heads, a cooperative game worth profiling. Heads are
    /// 32 wide (wider than 128 / 8) with RoPE θ 500,000 because retrieval matches a key by content across up to 2,048
    /// tokens, and only the rotary pairs that turn less than about a radian over that distance can carry content:
    /// 1–2 of the 8 pairs of a 16-wide head at θ 10,000, 6–7 of the 16 pairs here.
    /// </summary>
    public static ModelConfig DefaultModel(int vocabSize) => new()
    {
        Architecture = "llama",
        VocabSize = vocabSize,
        HiddenSize = 128,
        IntermediateSize = 384,
        LayerCount = 4,
        HeadCount = 8,
        KvHeadCount = 4,
        HeadDim = 32,
        MaxContext = 4096,
        RopeTheta = 500_000,
        RmsNormEps = 1e-5,
        TiedEmbeddings = true,
    };

    /// <summary>Progress (a fraction of the steps) before which training is mostly copying practice, at 64 tokens.</summary>
    public const double CopyingPhase = 0.22;

    /// <summary>Sequence length by progress through training: short first (skills), then the lengths that matter,
    /// mixed so that learning long documents does not unlearn short ones.</summary>
    public static int LengthAt(double progress, Random random) => progress switch
    {
        // Copying does not stretch to lengths it never saw (trained at 1,024 tokens: 0% at 2,048, measured), so most
        // steps are at 2,048 once it has formed.
        < CopyingPhase => 64,
        < 0.26 => 128,
        < 0.30 => 256,
        < 0.35 => 512,
        < 0.42 => 1024,
        _ => random.NextDouble() switch { < 0.15 => 512, < 0.40 => 1024, _ => 2048 },
    };

    /// <summary>
    /// The task of each document. Copying (an induction head) is what every retrieval builds on, and it forms
    /// abruptly after a plateau whose length is counted in copying steps (measured at 64 tokens): about 800 steps of
    /// repetitions alone; not within 1,500 steps where repetitions were 55–70% of each batch and key-value answers, a
    /// few tokens averaged apart, took most of the gradient. So training starts on repetitions alone.
    /// </summary>
    public static TrainingTask TaskAt(double progress, Random random) => progress < CopyingPhase
        ? TrainingTask.Continuation
        : random.NextDouble() switch
        {
            < 0.18 => TrainingTask.SingleNeedle,
            < 0.36 => TrainingTask.MultiNeedle,
            < 0.60 => TrainingTask.KeyValue,
            < 0.78 => TrainingTask.VariableTracking,
            < 0.86 => TrainingTask.FrequentWord,
            _ => TrainingTask.Continuation,
        };
}
