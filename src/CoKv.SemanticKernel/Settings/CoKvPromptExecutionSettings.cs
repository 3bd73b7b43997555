using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace CoKv.SemanticKernel;

/// <summary>
/// Semantic Kernel settings for a CoKv request: sampling, the token limit, and how the KV cache is budgeted
/// (policy, mean budget, task type or profile). Unset values fall back to the registration's options.
/// </summary>
public sealed class CoKvPromptExecutionSettings : PromptExecutionSettings
{
    int? _maxTokens, _topK, _budget, _window, _lookahead;
    double? _temperature, _topP;
    long? _seed;
    IList<string>? _stopSequences;
    string? _budgetPolicy, _taskType, _profile;

    /// <summary>Most tokens to generate; unset generates until a stop or a full context. A cut answer has finish reason "length".</summary>
    [JsonPropertyName(CoKvSettingKeys.MaxTokens)]
    public int? MaxTokens { get => _maxTokens; set => Set(ref _maxTokens, value); }

    /// <summary>0 (or unset) is greedy.</summary>
    [JsonPropertyName(CoKvSettingKeys.Temperature)]
    public double? Temperature { get => _temperature; set => Set(ref _temperature, value); }

    [JsonPropertyName(CoKvSettingKeys.TopP)]
    public double? TopP { get => _topP; set => Set(ref _topP, value); }

    [JsonPropertyName(CoKvSettingKeys.TopK)]
    public int? TopK { get => _topK; set => Set(ref _topK, value); }

    [JsonPropertyName(CoKvSettingKeys.Seed)]
    public long? Seed { get => _seed; set => Set(ref _seed, value); }

    [JsonPropertyName(CoKvSettingKeys.StopSequences)]
    public IList<string>? StopSequences { get => _stopSequences; set => Set(ref _stopSequences, value); }

    /// <summary>Mean tokens per KV head.</summary>
    [JsonPropertyName(CoKvSettingKeys.Budget)]
    public int? Budget { get => _budget; set => Set(ref _budget, value); }

    /// <summary>full, streaming, snapkv, pyramid, ada, cokv or baklava.</summary>
    [JsonPropertyName(CoKvSettingKeys.BudgetPolicy)]
    public string? BudgetPolicy { get => _budgetPolicy; set => Set(ref _budgetPolicy, value); }

    /// <summary>The task type whose profile to use, e.g. "single-doc-qa"; skips the classifier.</summary>
    [JsonPropertyName(CoKvSettingKeys.TaskType)]
    public string? TaskType { get => _taskType; set => Set(ref _taskType, value); }

    /// <summary>A profile file (path, relative to the profile directory or absolute) or a task type name.</summary>
    [JsonPropertyName(CoKvSettingKeys.Profile)]
    public string? Profile { get => _profile; set => Set(ref _profile, value); }

    /// <summary>Observation window w: tokens every head keeps from the end of the prompt.</summary>
    [JsonPropertyName(CoKvSettingKeys.Window)]
    public int? Window { get => _window; set => Set(ref _window, value); }

    /// <summary>Answer tokens decoded on the full cache before compressing, whose queries help choose what to keep (0: none).</summary>
    [JsonPropertyName(CoKvSettingKeys.Lookahead)]
    public int? Lookahead { get => _lookahead; set => Set(ref _lookahead, value); }

    object? _responseFormat;
    string? _chatSystemPrompt;

    /// <summary>"text", "json_object", a JSON schema (JsonElement, or its text), a <see cref="ChatResponseFormat"/>, or a
    /// .NET type whose JSON schema the answer must follow. Enforced by constrained decoding.</summary>
    [JsonPropertyName("response_format")]
    public object? ResponseFormat { get => _responseFormat; set => Set(ref _responseFormat, value); }

    /// <summary>Instructions that open the system message (ChatOptions.Instructions).</summary>
    [JsonPropertyName("chat_system_prompt")]
    public string? ChatSystemPrompt { get => _chatSystemPrompt; set => Set(ref _chatSystemPrompt, value); }

    /// <summary>The response format as Microsoft.Extensions.AI's; refuses a value it cannot read.</summary>
    public static ChatResponseFormat? ReadResponseFormat(object? value) => value switch
    {
        null => null,
        ChatResponseFormat format => format,
        "text" => ChatResponseFormat.Text,
        "json_object" => ChatResponseFormat.Json,
        string schema => ChatResponseFormat.ForJsonSchema(JsonDocument.Parse(schema).RootElement.Clone()),
        JsonElement { ValueKind: JsonValueKind.String } e => ReadResponseFormat(e.GetString()),
        JsonElement { ValueKind: JsonValueKind.Object } e => ChatResponseFormat.ForJsonSchema(e.Clone()),
        JsonElement { ValueKind: JsonValueKind.Null } => null,
        Type type => ChatResponseFormat.ForJsonSchema(AIJsonUtilities.CreateJsonSchema(type), type.Name),
        var other => throw new NotSupportedException($"response_format '{other}' ({other.GetType().Name}) is not supported: use \"text\", \"json_object\", a JSON schema, a ChatResponseFormat or a Type."),
    };

    public override PromptExecutionSettings Clone() => new CoKvPromptExecutionSettings
    {
        ServiceId = ServiceId,
        ModelId = ModelId,
        FunctionChoiceBehavior = FunctionChoiceBehavior,
        ExtensionData = ExtensionData is null ? null : new Dictionary<string, object>(ExtensionData),
        MaxTokens = MaxTokens,
        Temperature = Temperature,
        TopP = TopP,
        TopK = TopK,
        Seed = Seed,
        StopSequences = StopSequences is null ? null : new List<string>(StopSequences),
        Budget = Budget,
        BudgetPolicy = BudgetPolicy,
        TaskType = TaskType,
        Profile = Profile,
        Window = Window,
        Lookahead = Lookahead,
        ResponseFormat = ResponseFormat,
        ChatSystemPrompt = ChatSystemPrompt,
    };

    public override void Freeze()
    {
        if (IsFrozen) return;
        base.Freeze();
        if (_stopSequences is not null) _stopSequences = _stopSequences.ToArray();
    }

    static readonly JsonSerializerOptions Json = new()
    {
        // Prompt templates written in YAML hand numbers over as strings.
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        PropertyNameCaseInsensitive = true,
    };

    /// <summary>
    /// The CoKv view of any settings: these settings themselves, or a plain PromptExecutionSettings (from a prompt
    /// template's JSON, or another connector's settings) read through its JSON form, so the same keys work everywhere.
    /// </summary>
    public static CoKvPromptExecutionSettings FromExecutionSettings(PromptExecutionSettings? settings)
    {
        switch (settings)
        {
            case null:
                return new CoKvPromptExecutionSettings();
            case CoKvPromptExecutionSettings cokv:
                return cokv;
        }
        var json = JsonSerializer.Serialize(settings, settings.GetType());
        var converted = JsonSerializer.Deserialize<CoKvPromptExecutionSettings>(json, Json)
                        ?? throw new ArgumentException("The execution settings could not be read as CoKv settings.", nameof(settings));
        converted.ServiceId = settings.ServiceId;
        converted.ModelId = settings.ModelId;
        converted.FunctionChoiceBehavior = settings.FunctionChoiceBehavior;
        converted.ExtensionData = settings.ExtensionData;
        return converted;
    }

    /// <summary>The Microsoft.Extensions.AI form: standard options where they exist, the CoKv keys in AdditionalProperties.</summary>
    public ChatOptions ToChatOptions()
    {
        var options = new ChatOptions
        {
            ModelId = ModelId,
            MaxOutputTokens = MaxTokens,
            Temperature = (float?)Temperature,
            TopP = (float?)TopP,
            TopK = TopK,
            Seed = Seed,
            StopSequences = StopSequences?.ToList(),
            ResponseFormat = ReadResponseFormat(ResponseFormat),
            Instructions = ChatSystemPrompt,
        };
        var extra = new AdditionalPropertiesDictionary();
        if (Budget is { } b) extra[CoKvSettingKeys.Budget] = b;
        if (BudgetPolicy is { } p) extra[CoKvSettingKeys.BudgetPolicy] = p;
        if (TaskType is { } t) extra[CoKvSettingKeys.TaskType] = t;
        if (Profile is { } f) extra[CoKvSettingKeys.Profile] = f;
        if (Window is { } w) extra[CoKvSettingKeys.Window] = w;
        if (Lookahead is { } l) extra[CoKvSettingKeys.Lookahead] = l;
        if (extra.Count > 0) options.AdditionalProperties = extra;
        return options;
    }

    void Set<T>(ref T field, T value)
    {
        ThrowIfFrozen();
        field = value;
    }
}
