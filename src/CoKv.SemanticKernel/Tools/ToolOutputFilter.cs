using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace CoKv.SemanticKernel.Tools;

/// <summary>
/// Streams text through unless it may be a tool call: output that could still become the family's call opener is held;
/// once it starts with the opener (or the call is forced) everything is held and read as calls at the end, so a
/// stream yields a call as one update when it is complete.
/// </summary>
sealed class ToolOutputFilter(ToolRequest request)
{
    readonly StringBuilder _held = new();
    bool? _isCall = request.ToolMode == ToolRequest.Mode.Required && request.MayCall ? true : request.MayCall ? null : false;

    public string Push(string delta)
    {
        if (_isCall == false) return delta;
        _held.Append(delta);
        if (_isCall == true) return "";
        var start = _held.ToString().TrimStart();
        var opener = request.Format.CallOpener;
        if (start.Length < opener.Length ? opener.StartsWith(start, StringComparison.Ordinal) : start.StartsWith(opener, StringComparison.Ordinal))
        {
            if (start.Length >= opener.Length) _isCall = true;
            return "";
        }
        _isCall = false;
        var text = _held.ToString();
        _held.Clear();
        return text;
    }

    /// <summary>Held text that is not a call, or the calls it holds.</summary>
    public (string Text, IReadOnlyList<FunctionCallContent>? Calls) Finish(ILogger logger)
    {
        var text = _held.ToString();
        _held.Clear();
        if (text.Length == 0 || _isCall == false) return (text, null);
        if (request.ReadCalls(text) is { } calls) return ("", calls);
        if (request.ToolMode == ToolRequest.Mode.Required)
            logger.LogWarning("The forced tool call did not complete (token limit?): returned as text: {Text}", text);
        return (text, null);
    }
}
