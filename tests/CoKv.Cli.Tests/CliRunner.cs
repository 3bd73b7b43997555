using System.Reflection;

namespace CoKv.Cli.Tests;

/// <summary>The result of one <c>cokv</c> run: exit code and what it printed.</summary>
sealed record CliRun(int ExitCode, string Out, string Error)
{
    public string[] Lines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    /// <summary>Fails the test with the command's output when it did not succeed.</summary>
    public CliRun Succeeded()
    {
        Assert.True(ExitCode == 0, $"exit code {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}");
        return this;
    }
}

/// <summary>
/// Runs cokv in this process through its entry point (Program's Main, every command and option as a user types
/// them), with the console captured. The tests of this assembly never run side by side: the console is process-wide,
/// and so is libtorch's thread count.
/// </summary>
static class Cli
{
    static readonly MethodInfo EntryPoint = typeof(CoKv.Cli.Commands.BenchCommand).Assembly.EntryPoint
        ?? throw new InvalidOperationException("cokv has no entry point");

    public static async Task<CliRun> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var (oldOut, oldError) = (Console.Out, Console.Error);
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            var result = EntryPoint.Invoke(null, [args]);
            var code = result switch
            {
                Task<int> task => await task,
                int value => value,
                _ => throw new InvalidOperationException($"cokv's entry point returned {result}"),
            };
            return new CliRun(code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }
}
