namespace CoKv.LlamaCpp;

/// <summary>A llama.cpp call failed: names the C function and the code (or null result) it returned.</summary>
public sealed class LlamaCppException : Exception
{
    public LlamaCppException(string function, long code, string? detail = null)
        : base($"{function} failed with code {code}" + (detail is null ? "." : $": {detail}"))
    {
        Function = function;
        Code = code;
    }

    public LlamaCppException(string function, string detail) : base($"{function} failed: {detail}")
    {
        Function = function;
    }

    public string Function { get; }

    /// <summary>The return code, or null when the call signalled failure by a null pointer.</summary>
    public long? Code { get; }
}
