using System.Text;

namespace CoKv.Generation.Constraints;

/// <summary>
/// The grammar a constrained generation must follow, over bytes: JSON values as the subset of JSON Schema that
/// function schemas use (objects, arrays, strings, numbers, booleans, enums), fixed literals, sequences and choices.
/// Objects write their properties in schema order with ", " and ": " separators, as Python's json.dumps does (the
/// form chat templates write tool calls in), so every output is also the canonical text of its value.
/// </summary>
public abstract class GrammarNode
{
    public static GrammarNode Literal(string text) => new LiteralNode(Encoding.UTF8.GetBytes(text));
    public static GrammarNode Sequence(params GrammarNode[] parts) => new SequenceNode(parts);
    public static GrammarNode Choice(params GrammarNode[] options) => options.Length == 1 ? options[0] : new ChoiceNode(options);
}

public sealed class LiteralNode(byte[] bytes) : GrammarNode
{
    public byte[] Bytes { get; } = bytes;
}

/// <summary>A JSON string (quotes included) of at most <see cref="MaxBytes"/> UTF-8 bytes of content.</summary>
public sealed class StringNode(int maxBytes) : GrammarNode
{
    public int MaxBytes { get; } = maxBytes;
}

/// <summary>A JSON number; <see cref="Integer"/> allows no fraction or exponent. At most 16 digits before and after
/// the point, 3 in the exponent.</summary>
public sealed class NumberNode(bool integer) : GrammarNode
{
    public bool Integer { get; } = integer;
}

public sealed record PropertyNode(string Name, GrammarNode Value, bool Required)
{
    /// <summary>"\"name\": " as UTF-8.</summary>
    public byte[] KeyBytes { get; } = Encoding.UTF8.GetBytes(JsonText.Quote(Name) + ": ");
}

/// <summary>An object with these properties in this order; optional ones may be left out.</summary>
public sealed class ObjectNode(IReadOnlyList<PropertyNode> properties) : GrammarNode
{
    public IReadOnlyList<PropertyNode> Properties { get; } = properties;
}

/// <summary>Open, then between <see cref="Min"/> and <see cref="Max"/> items with a separator between, then close: a JSON
/// array ("[", ", ", "]") or a run of tool calls.</summary>
public sealed class RepeatNode(GrammarNode item, int min, int max, string open, string separator, string close) : GrammarNode
{
    public GrammarNode Item { get; } = item;
    public int Min { get; } = min;
    public int Max { get; } = max;
    public byte[] Open { get; } = Encoding.UTF8.GetBytes(open);
    public byte[] Separator { get; } = Encoding.UTF8.GetBytes(separator);
    public byte[] Close { get; } = Encoding.UTF8.GetBytes(close);
}

/// <summary>Any JSON object (string keys, any values) nested at most <see cref="Depth"/> levels: JSON mode without a schema.</summary>
public sealed class AnyObjectNode(int depth, int maxProperties, int maxStringBytes) : GrammarNode
{
    public int Depth { get; } = depth;
    public int MaxProperties { get; } = maxProperties;
    public int MaxStringBytes { get; } = maxStringBytes;
}

/// <summary>Any JSON value nested at most <see cref="Depth"/> levels.</summary>
public sealed class AnyValueNode(int depth, int maxItems, int maxStringBytes) : GrammarNode
{
    public int Depth { get; } = depth;
    public int MaxItems { get; } = maxItems;
    public int MaxStringBytes { get; } = maxStringBytes;
}

public sealed class SequenceNode(IReadOnlyList<GrammarNode> parts) : GrammarNode
{
    public IReadOnlyList<GrammarNode> Parts { get; } = parts;
}

public sealed class ChoiceNode(IReadOnlyList<GrammarNode> options) : GrammarNode
{
    public IReadOnlyList<GrammarNode> Options { get; } = options;
}
