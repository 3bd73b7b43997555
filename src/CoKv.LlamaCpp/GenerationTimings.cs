namespace CoKv.LlamaCpp;

/// <summary>
/// Wall-clock timings of one greedy generation, measured around the llama_decode calls (through LLamaSharp) with Stopwatch.
/// Prefill covers the prompt's decode calls and reading the last position's logits; decode covers each single-token
/// llama_decode plus its logits read-out and argmax. The first new token comes from the prefill logits, so
/// <see cref="DecodeTokens"/> is one less than the number of generated tokens (or zero).
/// </summary>
public sealed record GenerationTimings(int PromptTokens, TimeSpan Prefill, int DecodeTokens, TimeSpan Decode)
{
    public double PrefillTokensPerSecond => Rate(PromptTokens, Prefill);

    public double DecodeTokensPerSecond => Rate(DecodeTokens, Decode);

    static double Rate(int tokens, TimeSpan time) => tokens == 0 || time <= TimeSpan.Zero ? 0 : tokens / time.TotalSeconds;

    public override string ToString() =>
        $"prefill {PromptTokens} tok in {Prefill.TotalMilliseconds:F1} ms ({PrefillTokensPerSecond:F1} tok/s), " +
        $"decode {DecodeTokens} tok in {Decode.TotalMilliseconds:F1} ms ({DecodeTokensPerSecond:F1} tok/s)";
}
