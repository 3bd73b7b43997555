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

    public void Validate()
    {
        if (Temperature < 0 || !double.IsFinite(Temperature)) throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "Temperature must be ≥ 0.");
        if (TopK < 0) throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "top-k must be ≥ 0.");
        if (TopP is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "top-p must be in (0, 1].");
        if (RepetitionPenalty <= 0) throw new ArgumentOutOfRangeException(nameof(RepetitionPenalty), RepetitionPenalty, "The repetition penalty must be > 0.");
    }
}
