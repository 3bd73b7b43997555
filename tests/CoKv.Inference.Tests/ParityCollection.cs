using CoKv.Gguf;
using CoKv.LlamaCpp;

// Torch's thread count and its allocator are process-wide, and the machine is small: tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace CoKv.Tests;

[CollectionDefinition(Name)]
public sealed class ParityCollection : ICollectionFixture<ParityFixture>
{
    public const string Name = "torch + llama.cpp";
}

/// <summary>llama.cpp with stories260K loaded once (f32 cache, 1 thread), and the tokenizer keys of that vocabulary.</summary>
public sealed class ParityFixture : IDisposable
{
    public const int Threads = 1;

    public ParityFixture()
    {
        LlamaCppRuntime.Initialize(TestPaths.LlamaCppBin);
        StoriesGguf = TestPaths.SharedModel("stories260K.gguf");
        Model = LlamaCppModel.Load(StoriesGguf);
        Context = LlamaCppContext.Create(Model, contextLength: 512, batchSize: 512, threads: Threads);
        using var file = GgufFile.Open(StoriesGguf);
        StoriesTokenizerKeys = file.Metadata
            .Where(kv => kv.Key.StartsWith("tokenizer.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    public string StoriesGguf { get; }
    public LlamaCppModel Model { get; }
    public LlamaCppContext Context { get; }
    /// <summary>stories260K's SentencePiece vocabulary (512 tokens) as GGUF metadata, for random models llama.cpp can load.</summary>
    public IReadOnlyDictionary<string, object> StoriesTokenizerKeys { get; }

    public void Dispose()
    {
        Context.Dispose();
        Model.Dispose();
    }
}
