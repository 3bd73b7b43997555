namespace CoKv.SemanticKernel;

/// <summary>Which engine serves a registration (<see cref="CoKvOptions.Engine"/>).</summary>
public enum CoKvEngine
{
    /// <summary>This library's decoder with the per-KV-head budgeted cache.</summary>
    CoKv,

    /// <summary>
    /// llama.cpp's full cache through LLamaSharp (CPU backend; LLamaSharp.Backend.Cuda12 is not served here) on the same
    /// .gguf: the baseline to A/B against, answering greedily with the same prompt tokens.
    /// </summary>
    LlamaSharp,
}
