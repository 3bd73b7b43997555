namespace CoKv.SemanticKernel;

/// <summary>
/// The JSON names of the request settings: the same in <see cref="CoKvPromptExecutionSettings"/>, in a plain
/// PromptExecutionSettings' extension data (prompt templates) and in ChatOptions.AdditionalProperties.
/// </summary>
public static class CoKvSettingKeys
{
    public const string MaxTokens = "max_tokens";
    public const string Temperature = "temperature";
    public const string TopP = "top_p";
    public const string TopK = "top_k";
    public const string Seed = "seed";
    public const string StopSequences = "stop_sequences";
    public const string Budget = "budget";
    public const string BudgetPolicy = "budget_policy";
    public const string TaskType = "task_type";
    public const string Profile = "profile";
    public const string Window = "window";
    public const string Lookahead = "lookahead";
}
