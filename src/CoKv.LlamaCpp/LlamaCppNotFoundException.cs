namespace CoKv.LlamaCpp;

/// <summary>llama.cpp's native library could not be loaded; the message says where it was expected.</summary>
public sealed class LlamaCppNotFoundException : Exception
{
    const string Hint =
        "LLamaSharp.Backend.Cpu puts it in runtimes/<platform>/native of the application folder: build or publish the " +
        "application with that package referenced (CoKv.LlamaCpp does), or pass a folder holding a libllama built from " +
        "llama.cpp " + LlamaCppRuntime.LlamaCppCommit + ".";

    public LlamaCppNotFoundException(string? directory, IReadOnlyList<string> missing)
        : base(Describe(directory, missing))
    {
        Directory = directory;
        Missing = missing;
    }

    /// <summary>The custom folder that was asked for; null when LLamaSharp's own build failed to load.</summary>
    public string? Directory { get; }

    /// <summary>The files that are missing, or the loader's own message.</summary>
    public IReadOnlyList<string> Missing { get; }

    static string Describe(string? directory, IReadOnlyList<string> missing) =>
        directory is null
            ? $"llama.cpp (LLamaSharp's native library) could not be loaded: {string.Join("; ", missing)} {Hint}"
            : $"llama.cpp not found in '{directory}' (missing: {string.Join(", ", missing)}). {Hint}";
}
