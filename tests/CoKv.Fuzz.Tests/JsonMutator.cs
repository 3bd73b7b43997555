using System.Text;
using System.Text.Json.Nodes;

namespace CoKv.Fuzz.Tests;

/// <summary>
/// Seeded mutations of a JSON file: one value replaced by a hostile one (wrong kind, 0, −1, 2³¹−1, 2⁶³−1, 1e10, 1e308,
/// a huge id, a long string, deep nesting), a property removed, or the text truncated, flipped or made invalid UTF-8.
/// </summary>
static class JsonMutator
{
    const string DeepMarker = "\"__fuzz_deep__\"";

    static readonly Func<Random, JsonNode?>[] HostileValues =
    [
        _ => JsonValue.Create(0), _ => JsonValue.Create(-1), _ => JsonValue.Create(int.MaxValue), _ => JsonValue.Create(long.MaxValue),
        _ => JsonValue.Create(1e10), _ => JsonValue.Create(1e308), _ => JsonValue.Create(-1e308), _ => JsonValue.Create(1.5),
        _ => JsonValue.Create(999_999_999), _ => JsonValue.Create(int.MinValue), _ => JsonValue.Create("x"), _ => JsonValue.Create(""),
        r => JsonValue.Create(new string('a', r.Next(1000, 200_000))), _ => null, _ => JsonValue.Create(true),
        _ => new JsonObject(), _ => new JsonArray(), _ => new JsonArray(JsonValue.Create("a"), JsonValue.Create(1)),
        _ => JsonValue.Create("__fuzz_deep__"), _ => JsonValue.Create("<0x9$>"),
    ];

    public static (byte[] Bytes, string What) Mutate(byte[] original, Random random)
    {
        int kind = random.Next(10);
        if (kind == 0) return Mutator.Truncate(original, random, original.Length);
        if (kind == 1) return Mutator.Flip(original, random, original.Length);
        if (kind == 2) return InvalidUtf8(original, random);
        var root = JsonNode.Parse(original)!;
        var slots = new List<(JsonNode Parent, string? Key, int Index, int Depth)>();
        Collect(root, 1, slots);
        // A random depth first, then a slot at it: the few top-level fields are hit as often as the long lists.
        var depths = slots.Select(s => s.Depth).Distinct().ToArray();
        int depth = depths[random.Next(depths.Length)];
        var atDepth = slots.Where(s => s.Depth == depth).ToArray();
        var (parent, key, index, _) = atDepth[random.Next(atDepth.Length)];
        string where = key ?? $"[{index}]";
        string what;
        if (kind == 3 && key != null)
        {
            ((JsonObject)parent).Remove(key);
            what = $"removed '{Short(where)}'";
        }
        else
        {
            var value = HostileValues[random.Next(HostileValues.Length)](random);
            if (key != null) parent[key] = value; else parent[index] = value;
            what = $"'{Short(where)}' (depth {depth}) set to {Short(value?.ToJsonString() ?? "null")}";
        }
        var text = root.ToJsonString();
        if (text.Contains(DeepMarker))
        {
            int levels = random.Next(2) == 0 ? 65 : 100_000;
            text = text.Replace(DeepMarker, new string('[', levels) + new string(']', levels));
            what += $" (arrays nested {levels} deep)";
        }
        return (Encoding.UTF8.GetBytes(text), what);
    }

    static (byte[], string) InvalidUtf8(byte[] original, Random random)
    {
        int at = random.Next(original.Length + 1);
        byte[] bad = random.Next(2) == 0 ? [0xC3, 0x28] : [0xFF, 0xFE, 0xED];
        return ([.. original[..at], .. bad, .. original[at..]], $"invalid UTF-8 inserted at byte {at}");
    }

    static void Collect(JsonNode node, int depth, List<(JsonNode, string?, int, int)> slots)
    {
        if (node is JsonObject o)
            foreach (var (k, v) in o.ToList())
            {
                slots.Add((o, k, -1, depth));
                if (v != null) Collect(v, depth + 1, slots);
            }
        else if (node is JsonArray a)
            for (int i = 0; i < a.Count; i++)
            {
                slots.Add((a, null, i, depth));
                if (a[i] is { } v) Collect(v, depth + 1, slots);
            }
    }

    static string Short(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
