using System.CommandLine;

namespace CoKv.Cli.Commands;

/// <summary>The --model option shared by commands that run a model, and where the default model lives.</summary>
public static class ModelPathOption
{
    public const string DefaultRelativePath = "models/cokv-default/cokv-default.gguf";

    public static Option<string?> Create() => new("--model")
    {
        Description = $"A Hugging Face folder, a .gguf file or a llama2.c .bin checkpoint (default: {DefaultRelativePath}).",
    };

    /// <summary>The given path, or the default model found from the current folder or the repository holding it.</summary>
    public static string Resolve(string? given)
    {
        if (!string.IsNullOrEmpty(given)) return given;
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, DefaultRelativePath);
            if (File.Exists(candidate)) return candidate;
            if (File.Exists(Path.Combine(dir.FullName, "CoKv.SemanticKernel.sln"))) break;
        }
        throw new FileNotFoundException(
            $"No --model given and the default model {DefaultRelativePath} was not found here or in the repository (it is produced by `cokv train`). Pass --model PATH.");
    }
}
