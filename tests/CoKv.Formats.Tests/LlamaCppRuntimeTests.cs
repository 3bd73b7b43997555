using CoKv.LlamaCpp;

namespace CoKv.Tests;

[Collection(LlamaCppCollection.Name)]
public sealed class LlamaCppRuntimeTests
{
    [Fact]
    public void LLamaSharpsOwnBuildLoadsAndASecondFolderIsRefused()
    {
        LlamaCppRuntime.Initialize();
        LlamaCppRuntime.Initialize();
        Assert.True(LlamaCppRuntime.IsInitialized);
        Assert.Null(LlamaCppRuntime.BinDirectory);
        var other = TestPaths.TempDir("llama-other");
        Assert.Throws<InvalidOperationException>(() => LlamaCppRuntime.Initialize(other));
    }

    [Fact]
    public void TheBundledBuildIsCopiedBesideTheTests()
    {
        // LLamaSharp.Backend.Cpu's content lands in runtimes/<rid>/native/<avx level>/ of the output; the build keeps
        // only this platform's.
        var runtimes = Path.Combine(AppContext.BaseDirectory, "runtimes");
        var libraries = Directory.GetFiles(runtimes, "libllama.so", SearchOption.AllDirectories);
        Assert.NotEmpty(libraries);
        Assert.All(libraries, l => Assert.Contains(Path.Combine("runtimes", "linux-x64", "native"), l));
        Assert.Equal([Path.Combine(runtimes, "linux-x64")], Directory.GetDirectories(runtimes));
    }

    [Fact]
    public void LogLinesReachTheSinkOnlyWhenOneIsSet()
    {
        var lines = new System.Collections.Concurrent.ConcurrentBag<string>();
        LlamaCppRuntime.Initialize();
        LlamaCppRuntime.LogSink = (_, text) => lines.Add(text);
        try
        {
            using var model = LlamaCppModel.Load(TestPaths.VocabFile("ggml-vocab-llama-spm.gguf"), vocabOnly: true);
        }
        finally
        {
            LlamaCppRuntime.LogSink = null;
        }
        Assert.NotEmpty(lines);
        var count = lines.Count;
        using (LlamaCppModel.Load(TestPaths.VocabFile("ggml-vocab-llama-spm.gguf"), vocabOnly: true)) { }
        Assert.Equal(count, lines.Count);
    }
}
