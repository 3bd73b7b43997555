using CoKv.Chat;
using CoKv.Generation;
using CoKv.Decoding;
using CoKv.Tokenization;

namespace CoKv.Profiling;

/// <summary>
/// What profiling and evaluation need of a model: the decoder, the tokenizer, the fingerprint profiles are keyed by,
/// and how a user message and an answer become tokens. Built from a <see cref="LocalModel"/> (its chat template) or,
/// for raw language models and tests, from a decoder with plain-text prompts.
/// </summary>
public sealed class ProfilingModel
{
    readonly Func<string, int[]> _encodePrompt;
    readonly Func<string, string, int[]?> _encodeExchange;

    ProfilingModel(Decoder decoder, ITokenizer tokenizer, string fingerprint, string description, int contextLength,
        Func<string, int[]> encodePrompt, Func<string, string, int[]?> encodeExchange)
    {
        Decoder = decoder;
        Tokenizer = tokenizer;
        Fingerprint = fingerprint;
        Description = description;
        ContextLength = contextLength;
        _encodePrompt = encodePrompt;
        _encodeExchange = encodeExchange;
    }

    public Decoder Decoder { get; }
    public ITokenizer Tokenizer { get; }
    public string Fingerprint { get; }
    public string Description { get; }
    public int ContextLength { get; }
    public int Layers => Decoder.Config.LayerCount;
    public int KvHeads => Decoder.Config.KvHeadCount;

    /// <summary>Runs on the caller's thread, beside the engine's worker: profiling only reads the weights, and a
    /// forward pass holds no state in the decoder, so both may run at once (each is then slower).</summary>
    public static ProfilingModel From(LocalModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new ProfilingModel(model.Decoder, model.Tokenizer, model.Fingerprint, $"{model.ModelId} ({model.Format})", model.ContextLength,
            user => model.EncodeChat([ChatTurn.User(user)], addGenerationPrompt: true).ToArray(),
            (user, answer) => model.EncodeChat([ChatTurn.User(user), ChatTurn.Assistant(answer)], addGenerationPrompt: false).ToArray());
    }

    /// <summary>No chat template: the prompt is BOS + text, the answer its plain continuation.</summary>
    public static ProfilingModel Plain(Decoder decoder, ITokenizer tokenizer, string fingerprint, string description = "")
    {
        return new ProfilingModel(decoder, tokenizer, fingerprint, description, decoder.Config.MaxContext,
            user => tokenizer.Encode(user, addBos: true, parseSpecial: false).ToArray(),
            (_, _) => null);
    }

    public int[] EncodePrompt(string userMessage) => _encodePrompt(userMessage);

    /// <summary>
    /// The answer's tokens as they follow the prompt: the whole exchange rendered by the template, minus the prompt,
    /// so the end-of-turn marker and the template's spacing are those the model saw in training. Falls back to the
    /// answer encoded alone when the template does not render the prompt as a prefix of the exchange.
    /// </summary>
    public int[] EncodeAnswer(string userMessage, string answer, int[] prompt)
    {
        if (_encodeExchange(userMessage, answer) is { } exchange && exchange.Length > prompt.Length && exchange.AsSpan(0, prompt.Length).SequenceEqual(prompt))
            return exchange[prompt.Length..];
        return Tokenizer.Encode(answer, addBos: false, parseSpecial: false).ToArray();
    }
}
