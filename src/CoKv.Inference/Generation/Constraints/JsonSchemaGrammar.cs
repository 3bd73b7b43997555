using System.Text.Json;

namespace CoKv.Generation.Constraints;

/// <summary>Limits the grammar puts where a schema sets none, so that a constrained output always ends.</summary>
public sealed record JsonGrammarLimits
{
    /// <summary>UTF-8 bytes of a string's content where the schema gives no maxLength (then counted in bytes, which is
    /// never more than characters: the output still meets the schema).</summary>
    public int MaxStringBytes { get; init; } = 256;
    public int MaxArrayItems { get; init; } = 32;
    /// <summary>Nesting of schema-less values (JSON mode without a schema).</summary>
    public int MaxDepth { get; init; } = 4;
    public int MaxProperties { get; init; } = 16;

    public static JsonGrammarLimits Default { get; } = new();
}

/// <summary>
/// Compiles a JSON Schema into a <see cref="GrammarNode"/>: type (one or a list), properties with required, items,
/// minItems / maxItems, maxLength, enum, const, anyOf / oneOf; description, title, default, examples, format,
/// $schema, additionalProperties (and Semantic Kernel's "condition") are read as documentation (no property beyond those listed is ever written).
/// Any other keyword is refused with <see cref="NotSupportedException"/> naming it, never ignored.
/// </summary>
public static class JsonSchemaGrammar
{
    static readonly HashSet<string> Documentation = ["description", "title", "default", "examples", "format", "$schema", "additionalProperties", "$comment", "readOnly", "writeOnly", "deprecated",
        // Semantic Kernel writes a function's description under "condition".
        "condition"];
    static readonly HashSet<string> Understood = ["type", "properties", "required", "items", "minItems", "maxItems", "maxLength", "enum", "const", "anyOf", "oneOf"];

    public static GrammarNode FromSchema(JsonElement schema, JsonGrammarLimits? limits = null) => Compile(schema, limits ?? JsonGrammarLimits.Default, "#");

    /// <summary>Any JSON object: JSON mode with no schema.</summary>
    public static GrammarNode AnyObject(JsonGrammarLimits? limits = null)
    {
        var l = limits ?? JsonGrammarLimits.Default;
        return new AnyObjectNode(l.MaxDepth, l.MaxProperties, l.MaxStringBytes);
    }

    static GrammarNode Compile(JsonElement schema, JsonGrammarLimits limits, string path)
    {
        if (schema.ValueKind == JsonValueKind.True) return new AnyValueNode(limits.MaxDepth, limits.MaxArrayItems, limits.MaxStringBytes);
        if (schema.ValueKind != JsonValueKind.Object) throw new NotSupportedException($"JSON schema at {path} is a {schema.ValueKind}, not an object.");
        foreach (var p in schema.EnumerateObject())
            if (!Documentation.Contains(p.Name) && !Understood.Contains(p.Name))
                throw new NotSupportedException($"JSON schema keyword '{p.Name}' (at {path}) is not supported by constrained decoding.");

        if (schema.TryGetProperty("const", out var constant)) return GrammarNode.Literal(JsonText.Compact(constant));
        if (schema.TryGetProperty("enum", out var values))
        {
            if (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() == 0) throw new NotSupportedException($"'enum' at {path} must be a non-empty array.");
            return GrammarNode.Choice(values.EnumerateArray().Select(v => GrammarNode.Literal(JsonText.Compact(v))).ToArray());
        }
        foreach (var key in new[] { "anyOf", "oneOf" })
            if (schema.TryGetProperty(key, out var options))
                return GrammarNode.Choice(options.EnumerateArray().Select((o, i) => Compile(o, limits, $"{path}/{key}/{i}")).ToArray());

        if (schema.TryGetProperty("type", out var type))
        {
            if (type.ValueKind == JsonValueKind.Array)
                return GrammarNode.Choice(type.EnumerateArray().Select(t => ForType(t.GetString()!, schema, limits, path)).ToArray());
            return ForType(type.GetString() ?? "", schema, limits, path);
        }
        if (schema.TryGetProperty("properties", out _)) return ForType("object", schema, limits, path);
        return new AnyValueNode(limits.MaxDepth, limits.MaxArrayItems, limits.MaxStringBytes);
    }

    static GrammarNode ForType(string type, JsonElement schema, JsonGrammarLimits limits, string path)
    {
        switch (type)
        {
            case "string":
                return new StringNode(schema.TryGetProperty("maxLength", out var max) ? max.GetInt32() : limits.MaxStringBytes);
            case "integer":
                return new NumberNode(integer: true);
            case "number":
                return new NumberNode(integer: false);
            case "boolean":
                return GrammarNode.Choice(GrammarNode.Literal("true"), GrammarNode.Literal("false"));
            case "null":
                return GrammarNode.Literal("null");
            case "array":
                var items = schema.TryGetProperty("items", out var itemSchema)
                    ? Compile(itemSchema, limits, path + "/items")
                    : new AnyValueNode(limits.MaxDepth - 1, limits.MaxArrayItems, limits.MaxStringBytes);
                int min = schema.TryGetProperty("minItems", out var minItems) ? minItems.GetInt32() : 0;
                int maxItems = schema.TryGetProperty("maxItems", out var maxI) ? maxI.GetInt32() : Math.Max(min, limits.MaxArrayItems);
                return new RepeatNode(items, min, maxItems, "[", ", ", "]");
            case "object":
                // No "properties" at all is any object; "properties": {} (a function without parameters) is "{}".
                if (!schema.TryGetProperty("properties", out var properties))
                    return new AnyObjectNode(limits.MaxDepth, limits.MaxProperties, limits.MaxStringBytes);
                var required = schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(x => x.GetString()!).ToHashSet() : [];
                foreach (var name in required)
                    if (!properties.TryGetProperty(name, out _)) throw new NotSupportedException($"JSON schema at {path} requires '{name}', which it does not define.");
                return new ObjectNode(properties.EnumerateObject()
                    .Select(p => new PropertyNode(p.Name, Compile(p.Value, limits, $"{path}/properties/{p.Name}"), required.Contains(p.Name))).ToArray());
            default:
                throw new NotSupportedException($"JSON schema type '{type}' (at {path}) is not supported by constrained decoding.");
        }
    }
}
