using System.Text.Json;
using CoKv.Generation.Constraints;
using Microsoft.Extensions.AI;

namespace CoKv.SemanticKernel.Tools;

/// <summary>A function the model may call: its name, description and the JSON schema of its arguments.</summary>
public sealed record ToolDefinition(string Name, string? Description, JsonElement Parameters)
{
    public static ToolDefinition From(AIFunctionDeclaration function) =>
        new(function.Name, string.IsNullOrWhiteSpace(function.Description) ? null : function.Description, function.JsonSchema);

    /// <summary>{"name": ..., "description": ..., "parameters": ...}: the "function" object of OpenAI-style tool lists.</summary>
    public Dictionary<string, object?> FunctionObject()
    {
        var function = new Dictionary<string, object?> { ["name"] = Name };
        if (Description is not null) function["description"] = Description;
        function["parameters"] = Parameters;
        return function;
    }

    /// <summary>{"type": "function", "function": {...}} as one line of JSON (jinja's tojson).</summary>
    public string ToolJson() => JsonText.Compact(JsonSerializer.SerializeToElement(new Dictionary<string, object?>
    {
        ["type"] = "function",
        ["function"] = FunctionObject(),
    }));
}

/// <summary>A call parsed from the model's output.</summary>
public sealed record ParsedToolCall(string Name, JsonElement Arguments, string? CallId = null);
