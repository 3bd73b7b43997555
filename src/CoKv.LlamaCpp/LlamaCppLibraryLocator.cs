namespace CoKv.LlamaCpp;

/// <summary>Finds and checks the folder of prebuilt llama.cpp libraries, without loading anything.</summary>
public static class LlamaCppLibraryLocator
{
    public const string EnvironmentVariable = "COKV_LLAMA_CPP_DIR";
    public const string LlamaFile = "libllama.v0.5.0.so";
    public const string GgmlFile = "libggml.v0.5.0.so";
    public const string GgmlBaseFile = "libggml-base.so";
    const string CpuBackendPattern = "libggml-cpu*.so";

    /// <summary>
    /// The folder to load from: <paramref name="binDir"/> if given, else COKV_LLAMA_CPP_DIR, else
    /// .cache/llama-cpp/bin beside the CoKv.SemanticKernel.sln found above the application folder.
    /// A folder whose bin/ subfolder holds the libraries (e.g. .cache/llama-cpp) is accepted too.
    /// </summary>
    public static string Resolve(string? binDir = null)
    {
        var dir = binDir ?? Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(dir))
            dir = FindRepoDefault()
                ?? throw new LlamaCppNotFoundException(null,
                    [$"no {EnvironmentVariable} set and no CoKv.SemanticKernel.sln above {AppContext.BaseDirectory}"]);
        dir = Path.GetFullPath(dir);
        var nested = Path.Combine(dir, "bin");
        if (!File.Exists(Path.Combine(dir, LlamaFile)) && File.Exists(Path.Combine(nested, LlamaFile)))
            dir = nested;
        return dir;
    }

    /// <summary>Throws <see cref="LlamaCppNotFoundException"/> unless every library the binding needs is in <paramref name="dir"/>.</summary>
    public static void Probe(string dir)
    {
        var missing = new List<string>();
        if (!System.IO.Directory.Exists(dir))
            missing.Add("the folder itself");
        else
        {
            foreach (var file in new[] { LlamaFile, GgmlFile, GgmlBaseFile })
                if (!File.Exists(Path.Combine(dir, file)))
                    missing.Add(file);
            if (System.IO.Directory.GetFiles(dir, CpuBackendPattern).Length == 0)
                missing.Add(CpuBackendPattern + " (a CPU backend)");
        }
        if (missing.Count > 0)
            throw new LlamaCppNotFoundException(dir, missing);
    }

    static string? FindRepoDefault()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "CoKv.SemanticKernel.sln")))
                return Path.Combine(d.FullName, ".cache", "llama-cpp", "bin");
        return null;
    }
}
