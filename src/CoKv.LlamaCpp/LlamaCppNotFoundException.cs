namespace CoKv.LlamaCpp;

/// <summary>The llama.cpp libraries are not where they were looked for; the message says how to fetch them.</summary>
public sealed class LlamaCppNotFoundException : Exception
{
    public const string FetchHint =
        "Run scripts/fetch-llama-cpp.sh from the repository root (it fills .cache/llama-cpp), " +
        "or point COKV_LLAMA_CPP_DIR at a folder holding libllama.v0.5.0.so and the libggml*.so backends.";

    public LlamaCppNotFoundException(string? directory, IReadOnlyList<string> missing)
        : base(Describe(directory, missing))
    {
        Directory = directory;
        Missing = missing;
    }

    public string? Directory { get; }

    public IReadOnlyList<string> Missing { get; }

    static string Describe(string? directory, IReadOnlyList<string> missing) =>
        directory is null
            ? $"llama.cpp libraries not found: {string.Join("; ", missing)}. {FetchHint}"
            : $"llama.cpp libraries not found in '{directory}' (missing: {string.Join(", ", missing)}). {FetchHint}";
}
