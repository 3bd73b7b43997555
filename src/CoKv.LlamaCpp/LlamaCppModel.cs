using System.Text;
using LLama;
using LLama.Common;
using LLama.Exceptions;
using LLama.Native;

namespace CoKv.LlamaCpp;

/// <summary>
/// A GGUF model loaded by llama.cpp through LLamaSharp (on the CPU), with its vocabulary. Dispose the contexts made
/// from it first.
/// </summary>
public sealed class LlamaCppModel : IDisposable
{
    LLamaWeights? _weights;

    LlamaCppModel(LLamaWeights weights, string path, bool vocabOnly)
    {
        _weights = weights;
        var handle = weights.NativeHandle;
        Path = path;
        VocabOnly = vocabOnly;
        EmbeddingLength = handle.EmbeddingSize;
        LayerCount = handle.LayerCount;
        // llama.cpp reads layer 0's head counts and aborts the process (llama-hparams.cpp) when there is no layer,
        // as in the vocab-only GGUFs.
        HeadCount = LayerCount > 0 ? handle.HeadCount : 0;
        KvHeadCount = LayerCount > 0 ? handle.KVHeadCount : 0;
        TrainContextLength = handle.ContextSize;
        VocabSize = handle.Vocab.Count;
        Description = handle.Description;
        ParameterCount = (long)handle.ParameterCount;
        SizeBytes = (long)handle.SizeInBytes;
        Bos = OrNull(handle.Vocab.BOS);
        Eos = OrNull(handle.Vocab.EOS);
        Eot = OrNull(handle.Vocab.EOT);
    }

    /// <summary>Loads <paramref name="path"/>; with <paramref name="vocabOnly"/> only the metadata and vocabulary.</summary>
    public static LlamaCppModel Load(string path, bool vocabOnly = false)
    {
        LlamaCppRuntime.EnsureInitialized();
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new FileNotFoundException($"GGUF file not found: {full}", full);

        // No GPU layers: the CPU backend has no GPU, and a reference must not depend on one.
        var parameters = new ModelParams(full) { GpuLayerCount = 0, VocabOnly = vocabOnly };
        LLamaWeights weights;
        try
        {
            weights = LLamaWeights.LoadFromFile(parameters);
        }
        catch (LoadWeightsFailedException)
        {
            throw new LlamaCppException("llama_model_load_from_file", $"returned null for '{full}' (set LlamaCppRuntime.LogSink to see why)");
        }
        try
        {
            return new LlamaCppModel(weights, full, vocabOnly);
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    public string Path { get; }
    public bool VocabOnly { get; }
    public int EmbeddingLength { get; }
    public int LayerCount { get; }
    public int HeadCount { get; }
    public int KvHeadCount { get; }
    public int TrainContextLength { get; }
    public int VocabSize { get; }

    /// <summary>llama.cpp's one-line summary, e.g. "llama ?B all F32".</summary>
    public string Description { get; }

    public long ParameterCount { get; }
    public long SizeBytes { get; }

    public int? Bos { get; }
    public int? Eos { get; }
    public int? Eot { get; }

    /// <summary>The LLamaSharp weights, for code that drives LLamaSharp's own executors on the same load.</summary>
    public LLamaWeights Weights => _weights ?? throw new ObjectDisposedException(nameof(LlamaCppModel));

    internal SafeLlamaModelHandle Handle => Weights.NativeHandle;

    /// <summary>True for every token llama.cpp treats as the end of generation (EOS, EOT, …).</summary>
    public bool IsEndOfGeneration(int id) => ((LLamaToken)id).IsEndOfGeneration(Handle.Vocab);

    /// <summary>
    /// llama_tokenize. <paramref name="addSpecial"/> adds BOS/EOS as the model's metadata asks (and for SentencePiece
    /// vocabularies the leading space); <paramref name="parseSpecial"/> lets text like "&lt;s&gt;" become control tokens.
    /// </summary>
    public int[] Tokenize(string text, bool addSpecial, bool parseSpecial)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = Handle.Tokenize(text, addSpecial, parseSpecial, Encoding.UTF8);
        var ids = new int[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
            ids[i] = (int)tokens[i];
        return ids;
    }

    /// <summary>The bytes of one token's piece (may be part of a UTF-8 character); control tokens rendered when <paramref name="special"/>.</summary>
    public byte[] TokenToPiece(int id, bool special = true)
    {
        var buffer = new byte[32];
        for (var attempt = 0; ; attempt++)
        {
            var n = NativeApi.llama_token_to_piece(Handle.Vocab, id, buffer, 0, special);
            if (n >= 0 && n <= buffer.Length)
                return buffer.AsSpan(0, n).ToArray();
            if (attempt > 0)
                throw new LlamaCppException("llama_token_to_piece", n);
            buffer = new byte[Math.Abs(n)];
        }
    }

    /// <summary>
    /// llama_detokenize. With <paramref name="removeSpecial"/> a leading BOS / trailing EOS that the model adds is
    /// dropped; <paramref name="unparseSpecial"/> renders control tokens as text.
    /// </summary>
    public unsafe string Detokenize(IReadOnlyList<int> ids, bool removeSpecial = false, bool unparseSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var tokens = new int[Math.Max(ids.Count, 1)];
        for (var i = 0; i < ids.Count; i++)
            tokens[i] = ids[i];
        var buffer = new byte[ids.Count * 8 + 16];
        for (var attempt = 0; ; attempt++)
        {
            int n;
            fixed (int* t = tokens)
            fixed (byte* b = buffer)
                n = NativeVocab.Detokenize(Handle, t, ids.Count, b, buffer.Length, removeSpecial, unparseSpecial);
            if (n >= 0)
                return Encoding.UTF8.GetString(buffer, 0, n);
            if (attempt > 0)
                throw new LlamaCppException("llama_detokenize", n);
            buffer = new byte[-n];
        }
    }

    public void Dispose() => Interlocked.Exchange(ref _weights, null)?.Dispose();

    static int? OrNull(LLamaToken? token) => token is { } t ? (int)t : null;
}
