using CoKv.Tests;

namespace CoKv.Cli.Tests;

/// <summary>The models the commands run on: stories260K (../shared/models) and the repository's default model.</summary>
static class TinyModels
{
    public static string Stories260KGguf => TestPaths.SharedModel("stories260K.gguf");
    public static string Stories260KBin => TestPaths.SharedModel("stories260K.bin");

    public static string Default
    {
        get
        {
            var path = Path.Combine(TestPaths.RepoRoot, "models", "cokv-default", "cokv-default.gguf");
            if (!File.Exists(path)) throw new FileNotFoundException($"Test fixture missing: {path} (the repository's default model).", path);
            return path;
        }
    }
}
