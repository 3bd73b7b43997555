namespace CoKv.SemanticKernel.Chat;

/// <summary>
/// Drops the one space an answer starts with. The engine prints generated tokens as a continuation of the prompt, so
/// the first word keeps the space that separates it from the template's end ("Assistant:", "[/INST]",
/// "&lt;|assistant|&gt;"); as a chat message of its own that space is noise.
/// </summary>
sealed class AnswerStart
{
    bool _started;

    /// <summary>The delta as the caller should see it (empty when it was only that space).</summary>
    public string Next(string delta)
    {
        if (_started || delta.Length == 0) return delta;
        _started = true;
        return delta[0] == ' ' ? delta[1..] : delta;
    }

    public static string Trim(string answer) => answer.Length > 0 && answer[0] == ' ' ? answer[1..] : answer;
}
