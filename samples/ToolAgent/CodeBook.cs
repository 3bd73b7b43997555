using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace CoKv.Samples.ToolAgent;

/// <summary>The keys of the code book: the schema of the function's argument lists them, so the model's forced call
/// always names one it can look up.</summary>
public enum CodeKey { tano, pake, mefi, mige, vesa }

/// <summary>The plugin the agent calls: secret codes it does not know until it asks.</summary>
public sealed class CodeBook
{
    static readonly Dictionary<CodeKey, string> Codes = new()
    {
        [CodeKey.tano] = "teal",
        [CodeKey.pake] = "ochre",
        [CodeKey.mefi] = "cobalt",
        [CodeKey.mige] = "cedar",
        [CodeKey.vesa] = "plum",
    };

    public List<string> Calls { get; } = new();

    [KernelFunction("lookup"), Description("Looks up the secret code of a key.")]
    public string Lookup([Description("The key")] CodeKey key)
    {
        Calls.Add(key.ToString());
        // Written as the model's own training text writes a fact.
        return $"the secret code {key} {Codes[key]} .";
    }

    public static string Expected(CodeKey key) => Codes[key];
}
