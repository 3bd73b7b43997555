namespace CoKv.Generation;

/// <summary>How the next token is drawn. Temperature 0 is greedy (argmax), whatever the other settings.</summary>
public sealed record SamplingOptions
{
    public double Temperature { get; init; }
    /// <summary>Keep only the k most likely tokens; 0 keeps all.</summary>
    public int TopK { get; init; }
    /// <summary>Keep the smallest set of tokens whose probability reaches p; 1 keeps all.</summary>
    public double TopP { get; init; } = 1.0;
    /// <summary>CTRL-style penalty on tokens already in the sequence (1 = none).</summary>
    public double RepetitionPenalty { get; init; } = 1.0;
    public int Seed { get; init; } = 42;

    public static SamplingOptions Greedy { get; } = new();

    public void Validate() => OptionRules.ThrowIfAny(
        OptionRules.Temperature(nameof(Temperature), Temperature),
        OptionRules.TopK(nameof(TopK), TopK),
        OptionRules.TopP(nameof(TopP), TopP),
        OptionRules.RepetitionPenalty(nameof(RepetitionPenalty), RepetitionPenalty));
}
