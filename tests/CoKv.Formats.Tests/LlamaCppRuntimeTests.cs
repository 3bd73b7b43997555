using CoKv.LlamaCpp;

namespace CoKv.Tests;

[Collection(LlamaCppCollection.Name)]
public sealed class LlamaCppRuntimeTests
{
    [Fact]
    public void ProbeOfAFolderWithoutLibrariesNamesTheFetchScript()
    {
        var dir = TestPaths.TempDir("llama-empty");
        var ex = Assert.Throws<LlamaCppNotFoundException>(() => LlamaCppRuntime.Probe(dir));
        Assert.Contains("scripts/fetch-llama-cpp.sh", ex.Message);
        Assert.Contains(dir, ex.Message);
        Assert.Contains(LlamaCppLibraryLocator.LlamaFile, ex.Missing);
    }

    [Fact]
    public void ProbeOfAMissingFolderNamesTheFetchScript()
    {
        var dir = Path.Combine(TestPaths.TempDir("llama-gone"), "nowhere");
        var ex = Assert.Throws<LlamaCppNotFoundException>(() => LlamaCppRuntime.Probe(dir));
        Assert.Contains("scripts/fetch-llama-cpp.sh", ex.Message);
    }

    [Fact]
    public void ProbeListsEachMissingLibrary()
    {
        var dir = TestPaths.TempDir("llama-partial");
        File.WriteAllBytes(Path.Combine(dir, LlamaCppLibraryLocator.LlamaFile), []);
        var ex = Assert.Throws<LlamaCppNotFoundException>(() => LlamaCppRuntime.Probe(dir));
        Assert.DoesNotContain(LlamaCppLibraryLocator.LlamaFile, ex.Missing);
        Assert.Contains(LlamaCppLibraryLocator.GgmlFile, ex.Missing);
        Assert.Contains(ex.Missing, m => m.Contains("CPU backend"));
    }

    [Fact]
    public void TheFetchedFolderPassesTheProbeAndIsTheDefault()
    {
        Assert.Equal(Path.GetFullPath(TestPaths.LlamaCppBin), LlamaCppRuntime.Probe(TestPaths.LlamaCppBin));
        // The parent .cache/llama-cpp is accepted too: its bin/ holds the libraries.
        Assert.Equal(Path.GetFullPath(TestPaths.LlamaCppBin), LlamaCppRuntime.Probe(TestPaths.LlamaCppDir));
        if (Environment.GetEnvironmentVariable(LlamaCppLibraryLocator.EnvironmentVariable) is null)
            Assert.Equal(Path.GetFullPath(TestPaths.LlamaCppBin), LlamaCppRuntime.Probe());
    }

    [Fact]
    public void InitializeIsIdempotentAndRefusesASecondFolder()
    {
        LlamaCppRuntime.Initialize(TestPaths.LlamaCppBin);
        LlamaCppRuntime.Initialize();
        Assert.True(LlamaCppRuntime.IsInitialized);
        var other = TestPaths.TempDir("llama-other");
        Assert.Throws<InvalidOperationException>(() => LlamaCppRuntime.Initialize(other));
    }

    [Fact]
    public void LogLinesReachTheSinkOnlyWhenOneIsSet()
    {
        var lines = new System.Collections.Concurrent.ConcurrentBag<string>();
        LlamaCppRuntime.Initialize(TestPaths.LlamaCppBin);
        LlamaCppRuntime.LogSink = (_, text) => lines.Add(text);
        try
        {
            using var model = LlamaCppModel.Load(TestPaths.LlamaCppFile("vocab/ggml-vocab-llama-spm.gguf"), vocabOnly: true);
        }
        finally
        {
            LlamaCppRuntime.LogSink = null;
        }
        Assert.NotEmpty(lines);
    }
}
