namespace CoKv.Samples;

/// <summary>Finds the embedded default model, so every sample runs with no arguments from the repository or from its bin folder.</summary>
static class SampleModel
{
    public const string Relative = "models/cokv-default/cokv-default.gguf";

    /// <summary>The model named on the command line, else the default one found by walking up from the current
    /// directory and then from the program's own folder.</summary>
    public static string Resolve(string? argument)
    {
        if (!string.IsNullOrWhiteSpace(argument)) return Path.GetFullPath(argument);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, Relative);
                if (File.Exists(candidate)) return candidate;
            }
        throw new FileNotFoundException($"No {Relative} above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}; pass a model path.");
    }

    /// <summary>"1.2 MB"-style sizes for the KV memory lines.</summary>
    public static string Bytes(object? value) => value switch
    {
        long b => Format(b),
        int b => Format(b),
        _ => value?.ToString() ?? "-",
    };

    static string Format(long bytes) => bytes >= 1 << 20 ? $"{bytes / 1048576.0:F2} MiB" : $"{bytes / 1024.0:F1} KiB";
}
