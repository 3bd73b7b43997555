namespace CoKv.LlamaCpp;

/// <summary><c>enum ggml_log_level</c>; <see cref="Continue"/> continues the previous message.</summary>
public enum LlamaCppLogLevel
{
    None = 0,
    Debug = 1,
    Info = 2,
    Warn = 3,
    Error = 4,
    Continue = 5,
}
