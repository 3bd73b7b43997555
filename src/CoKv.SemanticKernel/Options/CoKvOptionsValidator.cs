using Microsoft.Extensions.Options;

namespace CoKv.SemanticKernel;

/// <summary>Checks a registration's options before the first request can fail on them.</summary>
public sealed class CoKvOptionsValidator : IValidateOptions<CoKvOptions>
{
    public ValidateOptionsResult Validate(string? name, CoKvOptions options)
    {
        var errors = new List<string>();
        var which = string.IsNullOrEmpty(name) ? "CoKvOptions" : $"CoKvOptions '{name}'";
        if (string.IsNullOrWhiteSpace(options.ModelPath))
            errors.Add($"{which}: ModelPath is not set (a Hugging Face folder, a .gguf file or a llama2.c checkpoint).");
        else if (!File.Exists(options.ModelPath) && !Directory.Exists(options.ModelPath))
            errors.Add($"{which}: ModelPath '{Path.GetFullPath(options.ModelPath)}' does not exist.");
        else if (options.Engine == CoKvEngine.LlamaSharp && !options.ModelPath.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
            errors.Add($"{which}: Engine LlamaSharp runs llama.cpp, which reads a .gguf file; ModelPath '{options.ModelPath}' is not one.");
        if (options.TokenizerPath is { } tok && !File.Exists(tok))
            errors.Add($"{which}: TokenizerPath '{Path.GetFullPath(tok)}' does not exist.");
        if (options.DefaultBudget <= 0) errors.Add($"{which}: DefaultBudget must be > 0 (tokens per KV head), not {options.DefaultBudget}.");
        if (options.Window < 1) errors.Add($"{which}: Window must be ≥ 1 (the observation window), not {options.Window}.");
        if (!BudgetPolicyNames.IsKnown(options.FallbackPolicy))
            errors.Add($"{which}: FallbackPolicy '{options.FallbackPolicy}' is not one of {string.Join(", ", BudgetPolicyNames.All)}.");
        else if (BudgetPolicyNames.NeedsProfile(options.FallbackPolicy))
            errors.Add($"{which}: FallbackPolicy '{options.FallbackPolicy}' needs a profile; the fallback must work without one.");
        if (!BudgetPolicyNames.NeedsProfile(options.ProfileMethod ?? ""))
            errors.Add($"{which}: ProfileMethod '{options.ProfileMethod}' must be '{BudgetPolicyNames.Cokv}' or '{BudgetPolicyNames.Baklava}'.");
        if (string.IsNullOrWhiteSpace(options.ProfileDirectory)) errors.Add($"{which}: ProfileDirectory is empty.");
        if (options.DefaultMaxTokens is <= 0) errors.Add($"{which}: DefaultMaxTokens must be > 0 or unset, not {options.DefaultMaxTokens}.");
        if (options.Threads is < 1) errors.Add($"{which}: Threads must be ≥ 1 or unset.");
        if (options.ContextLength is < 1) errors.Add($"{which}: ContextLength must be ≥ 1 or unset.");
        if (options.PrefillChunkSize < 1) errors.Add($"{which}: PrefillChunkSize must be ≥ 1.");
        if (options.MaxQueuedRequests < 1) errors.Add($"{which}: MaxQueuedRequests must be ≥ 1.");
        if (options.SessionCacheCount < 0) errors.Add($"{which}: SessionCacheCount must be ≥ 0.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
