using CoKv.LlamaCpp;
using CoKv.Profiling;

namespace CoKv.Cli.Commands;

/// <summary>
/// llama.cpp's full cache (through LLamaSharp) as an engine row of <c>cokv eval</c>: the same GGUF, the same prompt
/// tokens, greedy, with an F32 KV cache so the row differs from ours only by engine, not by cache precision.
/// </summary>
sealed class LlamaSharpEngine : IDisposable
{
    public const string Name = "llamasharp";

    readonly LlamaCppModel _model;
    readonly LlamaCppContext _context;

    LlamaSharpEngine(LlamaCppModel model, LlamaCppContext context)
    {
        _model = model;
        _context = context;
    }

    /// <summary>Loads <paramref name="modelPath"/> (a .gguf) in llama.cpp with room for <paramref name="contextLength"/> positions.</summary>
    public static LlamaSharpEngine Load(string modelPath, int contextLength, int threads)
    {
        if (!modelPath.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) || !File.Exists(modelPath))
            throw new ArgumentException($"The '{Name}' row runs llama.cpp, which reads a .gguf file; '{modelPath}' is not one (leave '{Name}' out of --policies).");
        LlamaCppRuntime.Initialize();
        var model = LlamaCppModel.Load(modelPath);
        try
        {
            return new LlamaSharpEngine(model, LlamaCppContext.Create(model, contextLength, batchSize: Math.Min(contextLength, 512), threads));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public IReadOnlyList<int> Answer(int[] prompt, int maxNewTokens, IReadOnlySet<int> stopIds) =>
        _context.GenerateGreedy(prompt, maxNewTokens, stopAtEog: false, stopTokens: stopIds);

    public void Dispose()
    {
        _context.Dispose();
        _model.Dispose();
    }
}
