using CoKv.Generation;
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
        errors.AddRange(OptionRules.Problems(
            OptionRules.Budget(nameof(options.DefaultBudget), options.DefaultBudget),
            OptionRules.Window(nameof(options.Window), options.Window),
            OptionRules.Lookahead(nameof(options.Lookahead), options.Lookahead),
            OptionRules.Policy(nameof(options.FallbackPolicy), options.FallbackPolicy ?? ""),
            OptionRules.ProfileMethod(nameof(options.ProfileMethod), options.ProfileMethod),
            OptionRules.MaxTokens(nameof(options.DefaultMaxTokens), options.DefaultMaxTokens)).Select(p => $"{which}: {p}"));
        if (BudgetPolicyNames.NeedsProfile(options.FallbackPolicy ?? ""))
            errors.Add($"{which}: FallbackPolicy '{options.FallbackPolicy}' needs a profile; the fallback must work without one.");
        if (string.IsNullOrWhiteSpace(options.ProfileDirectory)) errors.Add($"{which}: ProfileDirectory is empty.");
        // The engine's own options, checked by the engine's rules under the same names.
        errors.AddRange(options.ToLocalModelOptions().Problems().Select(p => $"{which}: {p}"));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
