using System.Text.Json;
using CoKv.Chat;
using CoKv.Generation;
using CoKv.Generation.Constraints;
using CoKv.Tokenization;
using Microsoft.Extensions.AI;

namespace CoKv.SemanticKernel.Tools;

/// <summary>
/// What a request asks beyond plain chat, read from <see cref="ChatOptions"/>: tools and the tool mode, the response
/// format, the instructions. Decides the prompt (the family's tool convention), the constraint on decoding, and how
/// the output is read back. Anything it cannot honour is refused with <see cref="NotSupportedException"/>.
/// </summary>
public sealed class ToolRequest
{
    public enum Mode { None, Auto, Required }

    ToolRequest(ToolFormat format, IReadOnlyList<ToolDefinition> offered, IReadOnlyList<ToolDefinition> callable, Mode mode, bool parallel,
        GrammarNode? responseGrammar, string? instructions)
    {
        Format = format;
        Offered = offered;
        Callable = callable;
        ToolMode = mode;
        Parallel = parallel;
        ResponseGrammar = responseGrammar;
        Instructions = instructions;
    }

    public ToolFormat Format { get; }
    /// <summary>Tools written into the prompt.</summary>
    public IReadOnlyList<ToolDefinition> Offered { get; }
    /// <summary>Tools a forced call may name (a required function name narrows it to one).</summary>
    public IReadOnlyList<ToolDefinition> Callable { get; }
    public Mode ToolMode { get; }
    public bool Parallel { get; }
    public GrammarNode? ResponseGrammar { get; }
    public string? Instructions { get; }

    /// <summary>Whether the output may hold tool calls (so text is held back until it is clearly not one).</summary>
    public bool MayCall => ToolMode != Mode.None && Callable.Count > 0;

    public static ToolRequest From(ChatOptions? options, ChatTemplateFamily family)
    {
        var format = ToolFormat.For(family);
        var tools = new List<ToolDefinition>();
        foreach (var tool in options?.Tools ?? [])
        {
            if (tool is not AIFunctionDeclaration function)
                throw new NotSupportedException($"Tool '{tool.Name}' ({tool.GetType().Name}) is not supported by the CoKv connector: only functions (AIFunctionDeclaration / AIFunction) can be called by a local model.");
            if (tools.Any(t => t.Name == function.Name)) throw new ArgumentException($"Two tools are named '{function.Name}'.");
            tools.Add(ToolDefinition.From(function));
        }
        var mode = tools.Count == 0 ? Mode.None : options!.ToolMode switch
        {
            null or AutoChatToolMode => Mode.Auto,
            NoneChatToolMode => Mode.None,
            RequiredChatToolMode => Mode.Required,
            var other => throw new NotSupportedException($"Tool mode {other.GetType().Name} is not supported by the CoKv connector."),
        };
        var callable = tools;
        if (options?.ToolMode is RequiredChatToolMode { RequiredFunctionName: { } name })
        {
            callable = tools.Where(t => t.Name == name).ToList();
            if (callable.Count == 0) throw new ArgumentException($"The required function '{name}' is not among the request's tools ({string.Join(", ", tools.Select(t => t.Name))}).");
        }
        if (options?.ToolMode is RequiredChatToolMode && tools.Count == 0)
            throw new ArgumentException("The tool mode requires a function call, but the request has no tools.");
        // ToolMode None: the model must not call, so the tools are not offered at all.
        var offered = mode == Mode.None ? [] : tools;
        bool parallel = format.SupportsParallelCalls && options?.AllowMultipleToolCalls != false;

        GrammarNode? response = options?.ResponseFormat switch
        {
            null or ChatResponseFormatText => null,
            ChatResponseFormatJson { Schema: null } => JsonSchemaGrammar.AnyObject(),
            ChatResponseFormatJson { Schema: { } schema } => JsonSchemaGrammar.FromSchema(schema),
            var other => throw new NotSupportedException($"Response format {other.GetType().Name} is not supported by the CoKv connector."),
        };
        var instructions = string.IsNullOrWhiteSpace(options?.Instructions) ? null : options!.Instructions;
        return new ToolRequest(format, offered, callable, mode, parallel, response, instructions);
    }

    /// <summary>Whether the prompt needs this class's rendering (tools, instructions, or tool turns in the history).</summary>
    public bool NeedsToolRendering(IReadOnlyList<ChatMessage> messages) =>
        Offered.Count > 0 || Instructions is not null
        || messages.Any(m => m.Contents.Any(c => c is FunctionCallContent or FunctionResultContent));

    /// <summary>The prompt text, and whether the tokenizer should add BOS (as <see cref="Engine.ConversationPrompts"/> decides).</summary>
    public (string Text, bool AddBos) Render(ChatTemplateFamily family, ITokenizer tokenizer, IReadOnlyList<ChatMessage> messages)
    {
        var turns = ToolMessageMapping.ToTurns(messages, Instructions);
        if (family == ChatTemplateFamily.Llama2 && tokenizer.BosId is { } bos && tokenizer.TokenText(bos) is { } bosText)
            return (Format.Render(turns, Offered, family, bosText, null), false);
        var eosText = tokenizer.EosId is { } eos ? tokenizer.TokenText(eos) : null;
        return (Format.Render(turns, Offered, family, null, eosText), true);
    }

    /// <summary>The decoding constraint: a forced call, a call once the model opens one, a JSON answer, or none.</summary>
    public Func<ITokenConstraint>? Constraint(ITokenizer tokenizer)
    {
        var calls = MayCall ? Format.CallGrammar(Callable, Parallel) : null;
        return (ToolMode, calls, ResponseGrammar) switch
        {
            (Mode.Required, { } call, _) => () => new GrammarConstraint(call, tokenizer),
            (Mode.Auto, { } call, null) => () => new TriggeredConstraint(Format.CallOpener, call, tokenizer),
            (Mode.Auto, { } call, { } json) => () => new GrammarConstraint(GrammarNode.Choice(call, json), tokenizer),
            (_, _, { } json) => () => new GrammarConstraint(json, tokenizer),
            _ => null,
        };
    }

    /// <summary>A string argument as a string (Semantic Kernel converts strings, not JSON elements, to enums and other
    /// types); any other value as its JSON element.</summary>
    static object? ArgumentValue(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString() : value.Clone();

    /// <summary>
    /// The calls in an answer, each checked against its tool: an unknown name or arguments that break the schema give a
    /// call whose <see cref="FunctionCallContent.Exception"/> says so (a function-invoking client reports it to the
    /// model instead of invoking). Null when the answer is not a call.
    /// </summary>
    public IReadOnlyList<FunctionCallContent>? ReadCalls(string text)
    {
        if (!MayCall || Format.ParseCalls(text) is not { } parsed) return null;
        var result = new List<FunctionCallContent>();
        foreach (var call in parsed)
        {
            var id = MistralToolFormat.CallId(Guid.NewGuid().ToString("N"));
            var arguments = call.Arguments.ValueKind == JsonValueKind.Object
                ? call.Arguments.EnumerateObject().ToDictionary(p => p.Name, p => ArgumentValue(p.Value))
                : new Dictionary<string, object?>();
            var content = new FunctionCallContent(id, call.Name, arguments);
            var tool = Offered.FirstOrDefault(t => t.Name == call.Name);
            string? error = tool is null ? $"The model called '{call.Name}', which is not one of the tools ({string.Join(", ", Offered.Select(t => t.Name))})."
                : call.Arguments.ValueKind != JsonValueKind.Object ? $"The arguments of '{call.Name}' are not a JSON object."
                : JsonSchemaCheck.FindError(call.Arguments, tool.Parameters) is { } e ? $"The arguments of '{call.Name}' break its schema: {e}." : null;
            if (error is not null) content.Exception = new InvalidDataException(error);
            result.Add(content);
        }
        return result;
    }
}
