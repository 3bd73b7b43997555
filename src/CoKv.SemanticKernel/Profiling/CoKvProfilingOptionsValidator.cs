using CoKv.Datasets;
using CoKv.Datasets.Synthetic;
using CoKv.Generation;
using Microsoft.Extensions.Options;

namespace CoKv.SemanticKernel.Profiling;

/// <summary>Refuses a profiling configuration that could only fail later, in the background.</summary>
public sealed class CoKvProfilingOptionsValidator : IValidateOptions<CoKvProfilingOptions>
{
    // doc_qa is generated too, from documents the builder brings, so it is not among the self-contained generators.
    static readonly string[] KnownSyntheticKinds = [.. SyntheticGenerators.Names, SyntheticDatasets.DocumentQa, .. CoKv.Profiling.DefaultTaskSamples.Names];

    public ValidateOptionsResult Validate(string? name, CoKvProfilingOptions options)
    {
        var errors = new List<string>();
        foreach (var (taskType, source) in options.TaskTypes)
        {
            if (string.IsNullOrWhiteSpace(taskType)) errors.Add("CoKvProfilingOptions: a task type has an empty name.");
            if (string.IsNullOrWhiteSpace(source)) { errors.Add($"CoKvProfilingOptions: task type '{taskType}' has no data source."); continue; }
            try
            {
                var data = options.DataSourceFor(source);
                if (data.DataFile is { } file && !File.Exists(file))
                    errors.Add($"CoKvProfilingOptions: the data file of task type '{taskType}', '{Path.GetFullPath(file)}', does not exist.");
                if (data.SyntheticKind is { } kind && !KnownSyntheticKinds.Contains(kind, StringComparer.Ordinal))
                    errors.Add($"CoKvProfilingOptions: task type '{taskType}': unknown synthetic kind '{kind}' (known: {string.Join(", ", KnownSyntheticKinds)}).");
                if (data.SyntheticKind is not null && (data.SyntheticLength < 1 || data.SyntheticCount < 1))
                    errors.Add($"CoKvProfilingOptions: task type '{taskType}': synthetic length and count must be ≥ 1.");
            }
            catch (FormatException e)
            {
                errors.Add($"CoKvProfilingOptions: task type '{taskType}': {e.Message}");
            }
        }
        errors.AddRange(OptionRules.Problems(
            OptionRules.ProfileMethod(nameof(options.Method), options.Method),
            OptionRules.Window(nameof(options.Window), options.Window),
            OptionRules.SamplesPerSize(nameof(options.SamplesPerSize), options.SamplesPerSize),
            OptionRules.CoalitionDesign(nameof(options.Design), options.Design),
            OptionRules.CoalitionSizes(nameof(options.CoalitionSizes), options.CoalitionSizes),
            OptionRules.ProfileUtility(nameof(options.Utility), options.Utility)).Select(p => $"CoKvProfilingOptions: {p}"));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
