using System.Runtime.InteropServices;

namespace CoKv.LlamaCpp.Native;

/// <summary>
/// The subset of llama.h / ggml-backend.h this binding calls. The library names are logical: the resolver installed
/// by <see cref="LlamaCppRuntime.Initialize"/> maps them to the versioned files of the fetched build.
/// </summary>
internal static unsafe partial class NativeMethods
{
    public const string Llama = "cokv-llama";
    public const string Ggml = "cokv-ggml";

    // --- process ---
    [LibraryImport(Ggml, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void ggml_backend_load_all_from_path(string dirPath);

    [LibraryImport(Ggml)]
    public static partial nuint ggml_backend_dev_count();

    [LibraryImport(Llama)]
    public static partial void llama_backend_init();

    [LibraryImport(Llama)]
    public static partial void llama_log_set(delegate* unmanaged[Cdecl]<int, byte*, void*, void> callback, void* userData);

    // --- model ---
    [LibraryImport(Llama)]
    public static partial LlamaModelParams llama_model_default_params();

    [LibraryImport(Llama, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr llama_model_load_from_file(string pathModel, LlamaModelParams parameters);

    [LibraryImport(Llama)]
    public static partial void llama_model_free(IntPtr model);

    [LibraryImport(Llama)]
    public static partial IntPtr llama_model_get_vocab(IntPtr model);

    [LibraryImport(Llama)] public static partial int llama_model_n_ctx_train(IntPtr model);
    [LibraryImport(Llama)] public static partial int llama_model_n_embd(IntPtr model);
    [LibraryImport(Llama)] public static partial int llama_model_n_layer(IntPtr model);
    [LibraryImport(Llama)] public static partial int llama_model_n_head(IntPtr model);
    [LibraryImport(Llama)] public static partial int llama_model_n_head_kv(IntPtr model);
    [LibraryImport(Llama)] public static partial int llama_model_desc(IntPtr model, byte* buf, nuint bufSize);
    [LibraryImport(Llama)] public static partial ulong llama_model_size(IntPtr model);
    [LibraryImport(Llama)] public static partial ulong llama_model_n_params(IntPtr model);

    // --- vocab ---
    [LibraryImport(Llama)] public static partial int llama_vocab_n_tokens(IntPtr vocab);
    [LibraryImport(Llama)] public static partial int llama_vocab_bos(IntPtr vocab);
    [LibraryImport(Llama)] public static partial int llama_vocab_eos(IntPtr vocab);
    [LibraryImport(Llama)] public static partial int llama_vocab_eot(IntPtr vocab);

    [LibraryImport(Llama)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool llama_vocab_is_eog(IntPtr vocab, int token);

    [LibraryImport(Llama)]
    public static partial int llama_tokenize(IntPtr vocab, byte* text, int textLen, int* tokens, int nTokensMax,
        [MarshalAs(UnmanagedType.U1)] bool addSpecial, [MarshalAs(UnmanagedType.U1)] bool parseSpecial);

    [LibraryImport(Llama)]
    public static partial int llama_token_to_piece(IntPtr vocab, int token, byte* buf, int length, int lstrip,
        [MarshalAs(UnmanagedType.U1)] bool special);

    [LibraryImport(Llama)]
    public static partial int llama_detokenize(IntPtr vocab, int* tokens, int nTokens, byte* text, int textLenMax,
        [MarshalAs(UnmanagedType.U1)] bool removeSpecial, [MarshalAs(UnmanagedType.U1)] bool unparseSpecial);

    // --- context ---
    [LibraryImport(Llama)]
    public static partial LlamaContextParams llama_context_default_params();

    [LibraryImport(Llama)]
    public static partial IntPtr llama_init_from_model(IntPtr model, LlamaContextParams parameters);

    [LibraryImport(Llama)] public static partial void llama_free(IntPtr ctx);
    [LibraryImport(Llama)] public static partial uint llama_n_ctx(IntPtr ctx);
    [LibraryImport(Llama)] public static partial IntPtr llama_get_memory(IntPtr ctx);

    [LibraryImport(Llama)]
    public static partial void llama_memory_clear(IntPtr memory, [MarshalAs(UnmanagedType.U1)] bool data);

    [LibraryImport(Llama)] public static partial LlamaBatch llama_batch_init(int nTokens, int embd, int nSeqMax);
    [LibraryImport(Llama)] public static partial void llama_batch_free(LlamaBatch batch);
    [LibraryImport(Llama)] public static partial int llama_decode(IntPtr ctx, LlamaBatch batch);
    [LibraryImport(Llama)] public static partial float* llama_get_logits_ith(IntPtr ctx, int i);
}
