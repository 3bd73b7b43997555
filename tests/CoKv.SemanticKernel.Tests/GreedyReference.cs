using CoKv.Chat;
using CoKv.Generation;
using static TorchSharp.torch;

namespace CoKv.SemanticKernel.Tests;

/// <summary>
/// What the connector should answer, computed here without it: the conversation rendered in the model's template,
/// encoded, prefilled into a plain <see cref="InferenceSession"/> (full cache) and decoded by argmax until a stop id
/// or the token limit; the reply is the text those tokens add to the prompt's, less the one space that separates it
/// from the template's end (a chat answer does not start with a space).
/// </summary>
static class GreedyReference
{
    public sealed record Reply(string Text, int PromptTokens, int[] Tokens, bool StoppedByModel);

    public static Reply For(LocalModel model, IReadOnlyList<ChatTurn> turns, int maxTokens)
    {
        var tokenizer = model.Tokenizer;
        var eos = tokenizer.EosId is { } e ? tokenizer.TokenText(e) : null;
        var rendered = ChatTemplates.Render(model.ChatTemplateFamily, turns, addGenerationPrompt: true, null, eos);
        var prompt = tokenizer.Encode(rendered, addBos: true, parseSpecial: true);
        var output = new List<int>();
        var stopped = false;
        using (var session = new InferenceSession(model.Decoder, prompt.Count + maxTokens + 1))
        {
            var logits = session.Prefill(prompt);
            try
            {
                while (output.Count < maxTokens)
                {
                    int next;
                    using (NewDisposeScope()) next = (int)logits.argmax().item<long>();
                    if (tokenizer.StopIds.Contains(next))
                    {
                        stopped = true;
                        break;
                    }
                    output.Add(next);
                    logits.Dispose();
                    logits = session.Step(next);
                }
            }
            finally
            {
                logits.Dispose();
            }
        }
        var head = tokenizer.Decode(prompt);
        var all = tokenizer.Decode(prompt.Concat(output));
        Assert.StartsWith(head, all);
        var reply = all[head.Length..];
        if (reply.StartsWith(' ')) reply = reply[1..];
        return new Reply(reply, prompt.Count, output.ToArray(), stopped);
    }
}
