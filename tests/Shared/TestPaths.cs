namespace CoKv.Tests;

/// <summary>Where the tests find the repository, ../shared/models and the llama.cpp reference.</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string SharedModels => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "models"));

    public static string LlamaCppDir => Path.Combine(RepoRoot, ".cache", "llama-cpp");
    public static string LlamaCppBin => Path.Combine(LlamaCppDir, "bin");
    public static string VocabDir => Path.Combine(LlamaCppDir, "vocab");

    /// <summary>A file of ../shared/models; fails (never skips) with a clear message when it is missing.</summary>
    public static string SharedModel(string name)
    {
        var path = Path.Combine(SharedModels, name);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Test fixture missing: {path}. The tests expect ../shared/models beside the repository.", path);
        return path;
    }

    /// <summary>A fetched llama.cpp file; fails with the command that fetches it when it is missing.</summary>
    public static string LlamaCppFile(string relative)
    {
        var path = Path.Combine(LlamaCppDir, relative);
        if (!File.Exists(path))
            throw new FileNotFoundException($"llama.cpp reference missing: {path}. Run scripts/fetch-llama-cpp.sh (the test build runs it).", path);
        return path;
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
