using CoKv.LlamaCpp;
using CoKv.Models;

namespace CoKv.Cli.Commands;

/// <summary>Turns the errors a user can fix (a missing file, a bad model, a bad argument, llama.cpp not loadable) into one
/// line on stderr.</summary>
public static class CommandErrors
{
    public static async Task<int> Guard(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or ModelFormatException or ArgumentException
                                       or LlamaCppNotFoundException)
        {
            Console.Error.WriteLine($"cokv: {e.Message}");
            return 1;
        }
    }

    public static int Guard(Func<int> action) => Guard(() => Task.FromResult(action())).GetAwaiter().GetResult();
}
