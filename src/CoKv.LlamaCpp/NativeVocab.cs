using System.Runtime.InteropServices;
using LLama.Native;

namespace CoKv.LlamaCpp;

/// <summary>
/// llama_detokenize, which LLamaSharp keeps internal (with the <c>llama_vocab*</c> it takes). Both C functions are
/// read from the library LLamaSharp already loaded: opening it again by its file name returns the loaded copy (the
/// loader matches the soname), so no second build can slip in.
/// </summary>
static unsafe class NativeVocab
{
    static readonly object Gate = new();
    static delegate* unmanaged[Cdecl]<IntPtr, IntPtr> _getVocab;
    static delegate* unmanaged[Cdecl]<IntPtr, int*, int, byte*, int, byte, byte, int> _detokenize;

    /// <summary>llama_detokenize(llama_model_get_vocab(model), …): the byte count, or minus the size needed.</summary>
    public static int Detokenize(SafeLlamaModelHandle model, int* tokens, int count, byte* text, int capacity, bool removeSpecial, bool unparseSpecial)
    {
        Bind();
        var added = false;
        model.DangerousAddRef(ref added);
        try
        {
            var vocab = _getVocab(model.DangerousGetHandle());
            return _detokenize(vocab, tokens, count, text, capacity, removeSpecial ? (byte)1 : (byte)0, unparseSpecial ? (byte)1 : (byte)0);
        }
        finally
        {
            if (added)
                model.DangerousRelease();
        }
    }

    static void Bind()
    {
        if (_detokenize != null)
            return;
        lock (Gate)
        {
            if (_detokenize != null)
                return;
            NativeApi.llama_empty_call(); // LLamaSharp loads its build first
            var library = LlamaCppRuntime.BinDirectory is { } dir
                ? NativeLibrary.Load(Path.Combine(dir, LlamaCppRuntime.NativeLibraryFileName))
                : NativeLibrary.Load(LlamaCppRuntime.NativeLibraryFileName);
            _getVocab = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)NativeLibrary.GetExport(library, "llama_model_get_vocab");
            _detokenize = (delegate* unmanaged[Cdecl]<IntPtr, int*, int, byte*, int, byte, byte, int>)NativeLibrary.GetExport(library, "llama_detokenize");
        }
    }
}
