using System.Text.Json;
using CoKv.Tests;

namespace CoKv.Cli.Tests;

/// <summary><c>cokv bench-constraint</c> prints the mask's cost (figures only, no speed asserted) and a well-formed call.</summary>
public class BenchConstraintCommandTests
{
    [Fact]
    public async Task Prints_the_per_step_cost_and_a_complete_tool_call()
    {
        var run = (await Cli.Run("bench-constraint", "--vocab", TestPaths.VocabFile("ggml-vocab-gpt-2.gguf"), "--runs", "1", "--token-limit", "200")).Succeeded();

        Assert.Contains(run.Lines, l => l.StartsWith("vocabulary 50,257 tokens: index built in ", StringComparison.Ordinal));
        Assert.Contains(run.Lines, l => l.StartsWith("mask per step (token limit 200, steering) over ", StringComparison.Ordinal) && l.Contains("median"));
        // The command prints the literals' newlines as "\n"; JSON strings hold no raw newline, so the middle is as written.
        var output = run.Lines.Single(l => l.StartsWith("first output: ", StringComparison.Ordinal))["first output: ".Length..];
        const string open = "<tool_call>\\n{\"name\": \"get_weather\", \"arguments\": ", close = "}\\n</tool_call>";
        Assert.StartsWith(open, output);
        Assert.EndsWith(close, output);
        using var arguments = JsonDocument.Parse(output[open.Length..^close.Length]);
        Assert.Equal(JsonValueKind.Number, arguments.RootElement.GetProperty("days").ValueKind);
        Assert.Contains(arguments.RootElement.GetProperty("unit").GetString(), new[] { "celsius", "fahrenheit" });
    }
}
