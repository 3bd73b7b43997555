using LLama.Exceptions;
using LLama.Native;

namespace CoKv.LlamaCpp;

/// <summary>
/// Process-wide set-up of llama.cpp as LLamaSharp ships it: which native build is loaded, and logging.
/// By default LLamaSharp.Backend.Cpu's build is used (it picks the AVX level of this CPU from runtimes/ in the
/// application folder). A process loads one build, so the first <see cref="Initialize"/> fixes it for good.
/// </summary>
public static class LlamaCppRuntime
{
    /// <summary>The llama.cpp commit LLamaSharp 0.30.0 and its backends are built from (LLamaSharp's README).</summary>
    public const string LlamaCppCommit = "815a2a5915f22ce6a760c676389c5dfe8535c08f";

    /// <summary>The LLamaSharp version this binding is written against.</summary>
    public const string LLamaSharpVersion = "0.30.0";

    static readonly object Gate = new();
    static string? _binDir;
    static bool _initialized;

    // Held in a field: llama.cpp keeps only the function pointer, so the delegate must outlive every log call.
    static readonly NativeLogConfig.LLamaLogCallback LogCallback = OnLog;

    /// <summary>The folder of a custom llama.cpp build passed to <see cref="Initialize"/>; null for LLamaSharp's own.</summary>
    public static string? BinDirectory => _binDir;

    public static bool IsInitialized => _initialized;

    /// <summary>
    /// Receives llama.cpp's log lines; null (the default) drops them, so test output is not flooded with the
    /// model-loading chatter. Called from native threads.
    /// </summary>
    public static Action<LlamaCppLogLevel, string>? LogSink { get; set; }

    /// <summary>
    /// Loads llama.cpp and routes its logging to <see cref="LogSink"/>. <paramref name="binDir"/> names a folder
    /// holding a custom libllama (with its libggml* beside it), built from <see cref="LlamaCppCommit"/> since
    /// LLamaSharp's structs follow that commit's header; null uses LLamaSharp.Backend.Cpu's build. Repeating it with
    /// the same folder (or none) is a no-op.
    /// </summary>
    public static void Initialize(string? binDir = null)
    {
        lock (Gate)
        {
            var dir = binDir is null ? null : Path.GetFullPath(binDir);
            if (_initialized)
            {
                if (dir != null && !SameDirectory(dir, _binDir))
                    throw new InvalidOperationException(
                        $"llama.cpp is already loaded from '{_binDir ?? "LLamaSharp.Backend.Cpu"}'; a process cannot switch to '{dir}'.");
                return;
            }

            if (dir != null)
            {
                var library = Path.Combine(dir, NativeLibraryFileName);
                if (!File.Exists(library))
                    throw new LlamaCppNotFoundException(dir, [NativeLibraryFileName]);
                if (NativeLibraryConfig.LLama.LibraryHasLoaded)
                    throw new InvalidOperationException(
                        $"LLamaSharp already loaded its llama.cpp in this process; '{dir}' can no longer be chosen.");
                NativeLibraryConfig.LLama.WithLibrary(library);
            }

            // Before the load when possible: llama.cpp logs while it registers its backends.
            NativeLogConfig.llama_log_set(LogCallback);
            try
            {
                NativeApi.llama_empty_call();
            }
            catch (Exception e) when (e is RuntimeError or DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
            {
                throw new LlamaCppNotFoundException(dir, [e.Message]);
            }
            _binDir = dir;
            _initialized = true;
        }
    }

    internal static void EnsureInitialized()
    {
        if (!_initialized)
            Initialize();
    }

    internal static string NativeLibraryFileName =>
        OperatingSystem.IsWindows() ? "llama.dll" : OperatingSystem.IsMacOS() ? "libllama.dylib" : "libllama.so";

    static void OnLog(LLamaLogLevel level, string message)
    {
        var sink = LogSink;
        if (sink == null)
            return;
        try
        {
            sink((LlamaCppLogLevel)(int)level, message);
        }
        catch
        {
            // An exception must not unwind into native code; a failing sink loses the line.
        }
    }

    static bool SameDirectory(string a, string? b) =>
        b != null && string.Equals(Path.TrimEndingDirectorySeparator(a), Path.TrimEndingDirectorySeparator(b), StringComparison.Ordinal);
}
