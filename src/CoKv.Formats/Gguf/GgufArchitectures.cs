using CoKv.Models;

namespace CoKv.Gguf;

public static class GgufArchitectures
{
    public static readonly IReadOnlyList<string> Supported = ["llama", "mistral", "qwen2", "qwen3"];

    /// <summary>
    /// Architectures whose llama.cpp RoPE rotates adjacent pairs, so that its converter reordered the Q/K rows
    /// (qwen2/qwen3 use the NEOX rotation and keep HF's order).
    /// </summary>
    public static bool HasInterleavedQk(string architecture) => architecture is "llama" or "mistral";

    public static void Require(string architecture, string path)
    {
        if (!Supported.Contains(architecture))
            throw new ModelFormatException($"{path}: architecture {(architecture.Length == 0 ? "(none given)" : MessageText.Quote(architecture))} is not supported; supported: {string.Join(", ", Supported)}.");
    }
}
