using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CoKv.LlamaCpp.Native;

namespace CoKv.LlamaCpp;

/// <summary>
/// Process-wide set-up of llama.cpp: which folder the libraries come from, the CPU backends, and logging.
/// A process can load only one build, so the first <see cref="Initialize"/> fixes the folder for good.
/// </summary>
public static unsafe class LlamaCppRuntime
{
    static readonly object Gate = new();
    static string? _binDir;
    static bool _resolverInstalled;

    /// <summary>The folder the libraries were loaded from; null before <see cref="Initialize"/>.</summary>
    public static string? BinDirectory => _binDir;

    public static bool IsInitialized => _binDir != null;

    /// <summary>
    /// Receives llama.cpp's log lines; null (the default) drops them, so test output is not flooded.
    /// Called from native threads.
    /// </summary>
    public static Action<LlamaCppLogLevel, string>? LogSink { get; set; }

    /// <summary>Checks that <paramref name="binDir"/> (or the default folder) holds the libraries, loading nothing.</summary>
    public static string Probe(string? binDir = null)
    {
        var dir = LlamaCppLibraryLocator.Resolve(binDir);
        LlamaCppLibraryLocator.Probe(dir);
        return dir;
    }

    /// <summary>
    /// Loads the libraries from <paramref name="binDir"/> (see <see cref="LlamaCppLibraryLocator.Resolve"/>), silences
    /// logging and registers the CPU backends. Repeating it with the same folder (or none) is a no-op.
    /// </summary>
    public static void Initialize(string? binDir = null)
    {
        lock (Gate)
        {
            if (_binDir != null)
            {
                if (binDir != null && !SameDirectory(LlamaCppLibraryLocator.Resolve(binDir), _binDir))
                    throw new InvalidOperationException(
                        $"llama.cpp is already loaded from '{_binDir}'; a process cannot switch to '{binDir}'.");
                return;
            }

            CheckStructSizes();
            var dir = Probe(binDir);
            if (!_resolverInstalled)
            {
                NativeLibrary.SetDllImportResolver(typeof(LlamaCppRuntime).Assembly, Resolve);
                _resolverInstalled = true;
            }
            _pendingDir = dir;

            // Before the backends load: ggml logs each one it registers.
            NativeMethods.llama_log_set(&OnLog, null);
            NativeMethods.ggml_backend_load_all_from_path(dir);
            if (NativeMethods.ggml_backend_dev_count() == 0)
                throw new LlamaCppException("ggml_backend_load_all_from_path", 0, $"no backend device registered from '{dir}'");
            NativeMethods.llama_backend_init();
            _binDir = dir;
        }
    }

    // sizeof of each struct as gcc lays out include/llama.h of the fetched build on x64: a field added to the C header
    // without updating Native/ would shift every later field silently, so refuse to run instead.
    static void CheckStructSizes()
    {
        if (sizeof(LlamaModelParams) != 80 || sizeof(LlamaContextParams) != 160 || sizeof(LlamaBatch) != 56)
            throw new InvalidOperationException(
                $"llama.cpp struct layout mismatch: model params {sizeof(LlamaModelParams)} (want 80), context params " +
                $"{sizeof(LlamaContextParams)} (want 160), batch {sizeof(LlamaBatch)} (want 56) bytes.");
    }

    internal static void EnsureInitialized()
    {
        if (_binDir == null)
            Initialize();
    }

    // The resolver is installed once per assembly, but the folder is only final after a successful Initialize.
    static string? _pendingDir;

    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        var dir = _binDir ?? _pendingDir;
        if (dir == null)
            return IntPtr.Zero;
        return name switch
        {
            NativeMethods.Llama => NativeLibrary.Load(Path.Combine(dir, LlamaCppLibraryLocator.LlamaFile)),
            NativeMethods.Ggml => NativeLibrary.Load(Path.Combine(dir, LlamaCppLibraryLocator.GgmlFile)),
            _ => IntPtr.Zero,
        };
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    static void OnLog(int level, byte* text, void* userData)
    {
        var sink = LogSink;
        if (sink == null || text == null)
            return;
        try
        {
            sink((LlamaCppLogLevel)level, Marshal.PtrToStringUTF8((IntPtr)text) ?? "");
        }
        catch
        {
            // An exception must not unwind into native code; a failing sink loses the line.
        }
    }

    static bool SameDirectory(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(a), Path.TrimEndingDirectorySeparator(b), StringComparison.Ordinal);
}
