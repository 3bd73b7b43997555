using CoKv.LlamaCpp;

namespace CoKv.Tests;

/// <summary>
/// llama.cpp tests share one collection: the runtime is process-wide, and on 2 shared cores the native work
/// should not run in parallel with itself.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LlamaCppCollection : ICollectionFixture<LlamaCppStoriesFixture>
{
    public const string Name = "llama.cpp";
}

/// <summary>stories260K loaded once by LLamaSharp's llama.cpp, with an f32 context on 1 thread.</summary>
public sealed class LlamaCppStoriesFixture : IDisposable
{
    public const int Threads = 1;

    public LlamaCppStoriesFixture()
    {
        LlamaCppRuntime.Initialize();
        Model = LlamaCppModel.Load(TestPaths.SharedModel("stories260K.gguf"));
        Context = LlamaCppContext.Create(Model, contextLength: 512, batchSize: 512, threads: Threads);
    }

    public LlamaCppModel Model { get; }

    public LlamaCppContext Context { get; }

    public void Dispose()
    {
        Context.Dispose();
        Model.Dispose();
    }
}
