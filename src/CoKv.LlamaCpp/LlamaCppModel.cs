using System.Text;
using CoKv.LlamaCpp.Native;

namespace CoKv.LlamaCpp;

/// <summary>
/// A GGUF model loaded by llama.cpp (on the CPU), with its vocabulary. Dispose the contexts made from it first:
/// llama.cpp does not reference-count the model.
/// </summary>
public sealed unsafe class LlamaCppModel : IDisposable
{
    IntPtr _model;
    readonly IntPtr _vocab;

    LlamaCppModel(IntPtr model, string path, bool vocabOnly)
    {
        _model = model;
        _vocab = NativeMethods.llama_model_get_vocab(model);
        if (_vocab == IntPtr.Zero)
            throw new LlamaCppException("llama_model_get_vocab", "returned null");
        Path = path;
        VocabOnly = vocabOnly;
        EmbeddingLength = NativeMethods.llama_model_n_embd(model);
        LayerCount = NativeMethods.llama_model_n_layer(model);
        // llama.cpp reads layer 0's head counts and aborts the process (llama-hparams.cpp) when there is no layer,
        // as in the vocab-only GGUFs.
        HeadCount = LayerCount > 0 ? NativeMethods.llama_model_n_head(model) : 0;
        KvHeadCount = LayerCount > 0 ? NativeMethods.llama_model_n_head_kv(model) : 0;
        TrainContextLength = NativeMethods.llama_model_n_ctx_train(model);
        VocabSize = NativeMethods.llama_vocab_n_tokens(_vocab);
        Description = ReadDescription(model);
        ParameterCount = (long)NativeMethods.llama_model_n_params(model);
        SizeBytes = (long)NativeMethods.llama_model_size(model);
        Bos = OrNull(NativeMethods.llama_vocab_bos(_vocab));
        Eos = OrNull(NativeMethods.llama_vocab_eos(_vocab));
        Eot = OrNull(NativeMethods.llama_vocab_eot(_vocab));
    }

    /// <summary>Loads <paramref name="path"/>; with <paramref name="vocabOnly"/> only the metadata and vocabulary.</summary>
    public static LlamaCppModel Load(string path, bool vocabOnly = false)
    {
        LlamaCppRuntime.EnsureInitialized();
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new FileNotFoundException($"GGUF file not found: {full}", full);

        var p = NativeMethods.llama_model_default_params();
        p.NGpuLayers = 0; // the CPU build has no GPU, and a reference must not depend on one
        p.VocabOnly = vocabOnly ? (byte)1 : (byte)0;
        var model = NativeMethods.llama_model_load_from_file(full, p);
        if (model == IntPtr.Zero)
            throw new LlamaCppException("llama_model_load_from_file", $"returned null for '{full}' (set LlamaCppRuntime.LogSink to see why)");
        try
        {
            return new LlamaCppModel(model, full, vocabOnly);
        }
        catch
        {
            NativeMethods.llama_model_free(model);
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

    internal IntPtr Handle => _model != IntPtr.Zero ? _model : throw new ObjectDisposedException(nameof(LlamaCppModel));

    internal IntPtr Vocab
    {
        get
        {
            _ = Handle;
            return _vocab;
        }
    }

    /// <summary>True for every token llama.cpp treats as the end of generation (EOS, EOT, …).</summary>
    public bool IsEndOfGeneration(int id) => NativeMethods.llama_vocab_is_eog(Vocab, id);

    /// <summary>
    /// llama_tokenize. <paramref name="addSpecial"/> adds BOS/EOS as the model's metadata asks (and for SentencePiece
    /// vocabularies the leading space); <paramref name="parseSpecial"/> lets text like "&lt;s&gt;" become control tokens.
    /// </summary>
    public int[] Tokenize(string text, bool addSpecial, bool parseSpecial)
    {
        ArgumentNullException.ThrowIfNull(text);
        // One spare byte so the pointer is valid even for "", and the text stays NUL-terminated for safety.
        var utf8 = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        var length = Encoding.UTF8.GetBytes(text, utf8);
        var tokens = new int[length + (addSpecial ? 4 : 0) + 1];
        for (var attempt = 0; ; attempt++)
        {
            int n;
            fixed (byte* t = utf8)
            fixed (int* o = tokens)
                n = NativeMethods.llama_tokenize(Vocab, t, length, o, tokens.Length, addSpecial, parseSpecial);
            if (n >= 0)
                return tokens.AsSpan(0, n).ToArray();
            if (n == int.MinValue || attempt > 0)
                throw new LlamaCppException("llama_tokenize", n);
            tokens = new int[-n];
        }
    }

    /// <summary>The bytes of one token's piece (may be part of a UTF-8 character); control tokens rendered when <paramref name="special"/>.</summary>
    public byte[] TokenToPiece(int id, bool special = true)
    {
        var buffer = new byte[32];
        for (var attempt = 0; ; attempt++)
        {
            int n;
            fixed (byte* b = buffer)
                n = NativeMethods.llama_token_to_piece(Vocab, id, b, buffer.Length, 0, special);
            if (n >= 0)
                return buffer.AsSpan(0, n).ToArray();
            if (attempt > 0)
                throw new LlamaCppException("llama_token_to_piece", n);
            buffer = new byte[-n];
        }
    }

    /// <summary>
    /// llama_detokenize. With <paramref name="removeSpecial"/> a leading BOS / trailing EOS that the model adds is
    /// dropped; <paramref name="unparseSpecial"/> renders control tokens as text.
    /// </summary>
    public string Detokenize(IReadOnlyList<int> ids, bool removeSpecial = false, bool unparseSpecial = false)
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
                n = NativeMethods.llama_detokenize(Vocab, t, ids.Count, b, buffer.Length, removeSpecial, unparseSpecial);
            if (n >= 0)
                return Encoding.UTF8.GetString(buffer, 0, n);
            if (attempt > 0)
                throw new LlamaCppException("llama_detokenize", n);
            buffer = new byte[-n];
        }
    }

    public void Dispose()
    {
        var model = Interlocked.Exchange(ref _model, IntPtr.Zero);
        if (model != IntPtr.Zero)
            NativeMethods.llama_model_free(model);
    }

    static int? OrNull(int token) => token == GgmlConstants.TokenNull ? null : token;

    static string ReadDescription(IntPtr model)
    {
        var buffer = new byte[256];
        for (var attempt = 0; ; attempt++)
        {
            int n;
            fixed (byte* b = buffer)
                n = NativeMethods.llama_model_desc(model, b, (nuint)buffer.Length);
            if (n < 0)
                throw new LlamaCppException("llama_model_desc", n);
            // snprintf semantics: n is the full length; the buffer holds n bytes plus the terminator only if it fits.
            if (n < buffer.Length)
                return Encoding.UTF8.GetString(buffer, 0, n);
            if (attempt > 0)
                throw new LlamaCppException("llama_model_desc", n, "description kept growing");
            buffer = new byte[n + 1];
        }
    }
}
