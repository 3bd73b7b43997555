namespace CoKv.Tests;

/// <summary>Where the tests find the repository, ../shared/models and llama.cpp's tokenizer vectors (../shared/vocab).</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string SharedModels => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "models"));

    /// <summary>llama.cpp's tokenizer test vectors (ggml-vocab-*.gguf with .inp/.out), kept beside the repository.</summary>
    public static string VocabDir => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "vocab"));

    /// <summary>The llama.cpp build to load: null is LLamaSharp.Backend.Cpu's, which the build copies to the output.</summary>
    public static string? LlamaCppBin => null;

    /// <summary>A file of ../shared/models; fails (never skips) with a clear message when it is missing.</summary>
    public static string SharedModel(string name)
    {
        var path = Path.Combine(SharedModels, name);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Test fixture missing: {path}. The tests expect ../shared/models beside the repository.", path);
        return path;
    }

    /// <summary>A file of ../shared/vocab (e.g. "ggml-vocab-llama-spm.gguf"); fails (never skips) when it is missing.</summary>
    public static string VocabFile(string name)
    {
        var path = Path.Combine(VocabDir, name);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Test fixture missing: {path}. The tests expect ../shared/vocab beside the repository (see its README).", path);
        return path;
    }

    /// <summary>A llama.cpp reference file by its old relative path: "vocab/NAME" is <see cref="VocabFile"/>(NAME).</summary>
    public static string LlamaCppFile(string relative)
    {
        const string prefix = "vocab";
        var parts = relative.Split('/', '\\');
        if (parts.Length != 2 || parts[0] != prefix)
            throw new ArgumentException($"Only vocab/NAME files remain of the llama.cpp reference; '{relative}' is not one.", nameof(relative));
        return VocabFile(parts[1]);
    }

    /// <summary>A fresh folder under the test output for files a test writes.</summary>
    public static string TempDir(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "cokv-tests", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CoKv.SemanticKernel.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Cannot find CoKv.SemanticKernel.sln above " + AppContext.BaseDirectory);
    }
}
