using System.Text.Json;

namespace CoKv.Generation.Constraints;

/// <summary>Checks a value against the JSON Schema subset <see cref="JsonSchemaGrammar"/> compiles (for output that was
/// not constrained, e.g. a tool call the model wrote on its own).</summary>
public static class JsonSchemaCheck
{
    /// <summary>The first way the value breaks the schema, or null when it meets it.</summary>
    public static string? FindError(JsonElement value, JsonElement schema, string path = "$")
    {
        if (schema.ValueKind == JsonValueKind.True) return null;
        if (schema.ValueKind != JsonValueKind.Object) return $"{path}: the schema is not an object";
        if (schema.TryGetProperty("const", out var constant))
            return JsonElement.DeepEquals(value, constant) ? null : $"{path}: must be {constant.GetRawText()}";
        if (schema.TryGetProperty("enum", out var values))
            return values.EnumerateArray().Any(v => JsonElement.DeepEquals(v, value)) ? null : $"{path}: {value.GetRawText()} is not one of {values.GetRawText()}";
        foreach (var key in new[] { "anyOf", "oneOf" })
            if (schema.TryGetProperty(key, out var options))
                return options.EnumerateArray().Any(o => FindError(value, o, path) is null) ? null : $"{path}: matches none of {key}";
        if (!schema.TryGetProperty("type", out var type))
            return schema.TryGetProperty("properties", out _) ? CheckType("object", value, schema, path) : null;
        if (type.ValueKind == JsonValueKind.Array)
        {
            string? first = null;
            foreach (var t in type.EnumerateArray())
            {
                var error = CheckType(t.GetString()!, value, schema, path);
                if (error is null) return null;
                first ??= error;
            }
            return first;
        }
        return CheckType(type.GetString()!, value, schema, path);
    }

    static string? CheckType(string type, JsonElement value, JsonElement schema, string path)
    {
        var kind = value.ValueKind;
        switch (type)
        {
            case "string":
                if (kind != JsonValueKind.String) return $"{path}: expected a string";
                return schema.TryGetProperty("maxLength", out var max) && value.GetString()!.Length > max.GetInt32() ? $"{path}: longer than {max.GetInt32()}" : null;
            case "integer":
                return kind == JsonValueKind.Number && value.TryGetInt64(out _) ? null : $"{path}: expected an integer";
            case "number":
                return kind == JsonValueKind.Number ? null : $"{path}: expected a number";
            case "boolean":
                return kind is JsonValueKind.True or JsonValueKind.False ? null : $"{path}: expected true or false";
            case "null":
                return kind == JsonValueKind.Null ? null : $"{path}: expected null";
            case "array":
                if (kind != JsonValueKind.Array) return $"{path}: expected an array";
                int count = value.GetArrayLength();
                if (schema.TryGetProperty("minItems", out var minItems) && count < minItems.GetInt32()) return $"{path}: fewer than {minItems.GetInt32()} items";
                if (schema.TryGetProperty("maxItems", out var maxItems) && count > maxItems.GetInt32()) return $"{path}: more than {maxItems.GetInt32()} items";
                if (!schema.TryGetProperty("items", out var items)) return null;
                int i = 0;
                foreach (var item in value.EnumerateArray())
                    if (FindError(item, items, $"{path}[{i++}]") is { } error) return error;
                return null;
            case "object":
                if (kind != JsonValueKind.Object) return $"{path}: expected an object";
                if (schema.TryGetProperty("required", out var required))
                    foreach (var name in required.EnumerateArray())
                        if (!value.TryGetProperty(name.GetString()!, out _)) return $"{path}: missing required property '{name.GetString()}'";
                if (!schema.TryGetProperty("properties", out var properties)) return null;
                bool closed = schema.TryGetProperty("additionalProperties", out var extra) && extra.ValueKind == JsonValueKind.False;
                foreach (var p in value.EnumerateObject())
                {
                    if (properties.TryGetProperty(p.Name, out var propertySchema))
                    {
                        if (FindError(p.Value, propertySchema, $"{path}.{p.Name}") is { } error) return error;
                    }
                    else if (closed) return $"{path}: unexpected property '{p.Name}'";
                }
                return null;
            default:
                return $"{path}: unsupported schema type '{type}'";
        }
    }
}
