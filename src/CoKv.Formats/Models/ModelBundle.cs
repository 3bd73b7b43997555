using CoKv.Tokenization;

namespace CoKv.Models;

/// <summary>An opened model: its config, weights (still mapped, read on demand), tokenizer and chat template.</summary>
/// <param name="Format">"gguf", "hf" or "llama2c".</param>
public sealed record ModelBundle(
    string Format,
    string Path,
    ModelConfig Config,
    IWeightSource Weights,
    ITokenizer Tokenizer,
    string? ChatTemplate) : IDisposable
{
    public void Dispose() => Weights.Dispose();
}
