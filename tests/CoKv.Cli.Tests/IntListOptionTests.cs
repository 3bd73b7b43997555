using CoKv.Tests;

namespace CoKv.Cli.Tests;

/// <summary>Every integer-list option goes through one parser, which names the option and the item it could not read.</summary>
public sealed class IntListOptionTests
{
    public static TheoryData<string, string, string[]> BadLists() => new()
    {
        { "--budgets", "x", ["eval", "--model", "/no/such/model", "--synthetic", "needle", "--budgets", "16,2k,x"] },
        { "--sizes", "two", ["profile", "--task-type", "t", "--synthetic", "needle", "--out", TestPaths.TempDir("cli-intlist"), "--sizes", "1,two"] },
        { "--budgets", "16q", ["bench", "--layouts", "--budgets", "8,16q"] },
    };

    [Theory]
    [MemberData(nameof(BadLists))]
    public async Task A_bad_item_is_refused_naming_the_option_and_the_item(string option, string bad, string[] args)
    {
        var run = await Cli.Run(args);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains($"{option} takes a comma-separated list of integers (a k suffix means x1024, as in 16k)", run.Error);
        Assert.Contains($"'{bad}' is not one", run.Error);
    }
}
