using System.Globalization;
using System.Text.Json;
using CoKv.Generation;
using Microsoft.Extensions.AI;

namespace CoKv.SemanticKernel;

/// <summary>
/// One request's settings after reading ChatOptions: its standard members first, then the same keys in
/// AdditionalProperties (where Semantic Kernel puts a prompt template's settings), then nothing (the options' defaults
/// apply later).
/// </summary>
public sealed record CoKvRequestSettings
{
    public int? MaxTokens { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? TopK { get; init; }
    public long? Seed { get; init; }
    public IReadOnlyList<string> StopSequences { get; init; } = [];
    public int? Budget { get; init; }
    public string? BudgetPolicy { get; init; }
    public string? TaskType { get; init; }
    public string? Profile { get; init; }
    public int? Window { get; init; }
    public int? Lookahead { get; init; }
    public string? ConversationId { get; init; }

    public static CoKvRequestSettings From(ChatOptions? options)
    {
        if (options is null) return new CoKvRequestSettings();
        var extra = options.AdditionalProperties;
        var settings = new CoKvRequestSettings
        {
            MaxTokens = options.MaxOutputTokens ?? Int(extra, CoKvSettingKeys.MaxTokens),
            Temperature = options.Temperature ?? Double(extra, CoKvSettingKeys.Temperature),
            TopP = options.TopP ?? Double(extra, CoKvSettingKeys.TopP),
            TopK = options.TopK ?? Int(extra, CoKvSettingKeys.TopK),
            Seed = options.Seed ?? Long(extra, CoKvSettingKeys.Seed),
            StopSequences = options.StopSequences?.ToArray() ?? Strings(extra, CoKvSettingKeys.StopSequences) ?? [],
            Budget = Int(extra, CoKvSettingKeys.Budget),
            BudgetPolicy = String(extra, CoKvSettingKeys.BudgetPolicy),
            TaskType = String(extra, CoKvSettingKeys.TaskType),
            Profile = String(extra, CoKvSettingKeys.Profile),
            Window = Int(extra, CoKvSettingKeys.Window),
            Lookahead = Int(extra, CoKvSettingKeys.Lookahead),
            ConversationId = options.ConversationId,
        };
        settings.Validate();
        return settings;
    }

    /// <summary>Refuses values the engine would refuse later, naming the setting as the user wrote it.</summary>
    public void Validate()
    {
        if (OptionRules.Problems(
                OptionRules.MaxTokens(CoKvSettingKeys.MaxTokens, MaxTokens),
                OptionRules.Temperature(CoKvSettingKeys.Temperature, Temperature),
                OptionRules.TopP(CoKvSettingKeys.TopP, TopP),
                OptionRules.TopK(CoKvSettingKeys.TopK, TopK),
                OptionRules.Budget(CoKvSettingKeys.Budget, Budget),
                OptionRules.Window(CoKvSettingKeys.Window, Window),
                OptionRules.Lookahead(CoKvSettingKeys.Lookahead, Lookahead),
                OptionRules.Policy(CoKvSettingKeys.BudgetPolicy, BudgetPolicy)) is [var first, ..])
            throw new ArgumentException(first);
    }

    static object? Get(AdditionalPropertiesDictionary? extra, string key)
    {
        if (extra is null) return null;
        if (extra.TryGetValue(key, out var value)) return Unwrap(value);
        foreach (var (k, v) in extra)
            if (string.Equals(k, key, StringComparison.OrdinalIgnoreCase)) return Unwrap(v);
        return null;
    }

    static object? Unwrap(object? value) => value is JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } ? null : value;

    static string? String(AdditionalPropertiesDictionary? extra, string key) => Get(extra, key) switch
    {
        null => null,
        string s => string.IsNullOrWhiteSpace(s) ? null : s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
        JsonElement e => e.GetRawText(),
        var v => Convert.ToString(v, CultureInfo.InvariantCulture),
    };

    static double? Double(AdditionalPropertiesDictionary? extra, string key)
    {
        var v = Get(extra, key);
        try
        {
            return v switch
            {
                null => null,
                JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
                JsonElement { ValueKind: JsonValueKind.String } e => double.Parse(e.GetString()!, CultureInfo.InvariantCulture),
                string s => double.Parse(s, CultureInfo.InvariantCulture),
                IConvertible c => c.ToDouble(CultureInfo.InvariantCulture),
                _ => throw new FormatException(),
            };
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException or InvalidCastException)
        {
            throw new ArgumentException($"Setting '{key}' must be a number, not '{v}'.", e);
        }
    }

    static long? Long(AdditionalPropertiesDictionary? extra, string key)
    {
        var d = Double(extra, key);
        if (d is null) return null;
        if (d != Math.Floor(d.Value)) throw new ArgumentException($"Setting '{key}' must be a whole number, not {d}.");
        return (long)d.Value;
    }

    static int? Int(AdditionalPropertiesDictionary? extra, string key) => checked((int?)Long(extra, key));

    static IReadOnlyList<string>? Strings(AdditionalPropertiesDictionary? extra, string key) => Get(extra, key) switch
    {
        null => null,
        string s => [s],
        JsonElement { ValueKind: JsonValueKind.Array } e => e.EnumerateArray().Select(x => x.GetString() ?? "").ToArray(),
        JsonElement { ValueKind: JsonValueKind.String } e => [e.GetString()!],
        IEnumerable<string> list => list.ToArray(),
        System.Collections.IEnumerable list => list.Cast<object?>().Select(o => Convert.ToString(o, CultureInfo.InvariantCulture) ?? "").ToArray(),
        var v => throw new ArgumentException($"Setting '{key}' must be a list of strings, not '{v}'."),
    };
}
