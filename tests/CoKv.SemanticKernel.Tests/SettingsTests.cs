using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace CoKv.SemanticKernel.Tests;

public sealed class SettingsTests
{
    [Fact]
    public void SettingsSerializeWithSnakeCaseNames()
    {
        var json = JsonSerializer.Serialize(new CoKvPromptExecutionSettings
        {
            MaxTokens = 64, Temperature = 0.5, TopP = 0.9, TopK = 40, Seed = 3, StopSequences = ["\n\n"],
            Budget = 128, BudgetPolicy = "cokv", TaskType = "single-doc-qa", Profile = "p.json", Window = 8,
        });
        foreach (var key in new[] { "max_tokens", "temperature", "top_p", "top_k", "seed", "stop_sequences", "budget", "budget_policy", "task_type", "profile", "window" })
            Assert.Contains($"\"{key}\"", json);
    }

    [Fact]
    public void PlainSettingsWithExtensionData_AreReadAsCoKvSettings()
    {
        var plain = new PromptExecutionSettings
        {
            ServiceId = "local",
            ExtensionData = new Dictionary<string, object>
            {
                ["max_tokens"] = 12, ["budget"] = "96", ["budget_policy"] = "pyramid", ["stop_sequences"] = new[] { "END" }, ["temperature"] = 0.7,
            },
        };
        var s = CoKvPromptExecutionSettings.FromExecutionSettings(plain);
        Assert.Equal(12, s.MaxTokens);
        Assert.Equal(96, s.Budget);
        Assert.Equal("pyramid", s.BudgetPolicy);
        Assert.Equal(["END"], s.StopSequences!);
        Assert.Equal(0.7, s.Temperature);
        Assert.Equal("local", s.ServiceId);
    }

    [Fact]
    public void ChatOptions_StandardMembersFirst_ThenAdditionalProperties()
    {
        var options = new ChatOptions
        {
            MaxOutputTokens = 10,
            AdditionalProperties = new()
            {
                ["max_tokens"] = 99, ["top_k"] = JsonDocument.Parse("5").RootElement, ["budget"] = 64L, ["task_type"] = "code",
                ["stop_sequences"] = JsonDocument.Parse("""["a","b"]""").RootElement, ["window"] = "16",
            },
        };
        var s = CoKvRequestSettings.From(options);
        Assert.Equal(10, s.MaxTokens);
        Assert.Equal(5, s.TopK);
        Assert.Equal(64, s.Budget);
        Assert.Equal("code", s.TaskType);
        Assert.Equal(["a", "b"], s.StopSequences);
        Assert.Equal(16, s.Window);
    }

    [Fact]
    public void CoKvSettings_RoundTripThroughChatOptions()
    {
        var options = new CoKvPromptExecutionSettings { MaxTokens = 7, Budget = 32, BudgetPolicy = "ada", TaskType = "few-shot", Window = 4 }.ToChatOptions();
        var s = CoKvRequestSettings.From(options);
        Assert.Equal((7, 32, "ada", "few-shot", 4), (s.MaxTokens, s.Budget, s.BudgetPolicy, s.TaskType, s.Window));
    }

    [Theory]
    [InlineData("budget", 0)]
    [InlineData("budget_policy", "magic")]
    [InlineData("window", 0)]
    [InlineData("max_tokens", -1)]
    public void BadValues_AreRefusedNamingTheSetting(string key, object value)
    {
        var e = Assert.Throws<ArgumentException>(() => CoKvRequestSettings.From(new ChatOptions { AdditionalProperties = new() { [key] = value } }));
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void FrozenSettings_CannotChange()
    {
        var s = new CoKvPromptExecutionSettings { Budget = 8 };
        s.Freeze();
        Assert.Throws<InvalidOperationException>(() => s.Budget = 9);
        var clone = (CoKvPromptExecutionSettings)s.Clone();
        clone.Budget = 9;
        Assert.Equal(9, clone.Budget);
    }
}
