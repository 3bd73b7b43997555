using System.Diagnostics;
using CoKv.Generation;
using CoKv.Profiling;

namespace CoKv.Cli.Commands;

/// <summary>What the profile and eval commands share: loading the model for profiling, list options, a progress line.</summary>
static class ProfileCommandSupport
{
    public static LocalModel LoadModel(string? path, int threads)
    {
        var resolved = ModelPathOption.Resolve(path);
        return CliProgress.Loading(resolved, () => LocalModel.Load(resolved, new LocalModelOptions { Threads = threads }));
    }

    public static string[] ParseNames(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Exactly one of --data and --synthetic.</summary>
    public static ProfileDataSource Source(string? data, string? synthetic, int length, int count)
    {
        if ((data is null) == (synthetic is null)) throw new ArgumentException("Give exactly one of --data FILE and --synthetic KIND.");
        return data is not null ? new ProfileDataSource(DataFile: data) : new ProfileDataSource(SyntheticKind: synthetic, SyntheticLength: length, SyntheticCount: count);
    }

    /// <summary>Profile-building progress shown on <paramref name="bar"/>.</summary>
    public static IProgress<ProfileProgress> Progress(CliProgress bar) =>
        new SyncProgress<ProfileProgress>(p => bar.Reporter.Report(new WorkProgress(p.Done, p.Total)));

    /// <summary>Runs a command body, turning the errors a user can act on into one line and exit code 1.</summary>
    public static async Task<int> Guard(Func<Task<int>> body)
    {
        try
        {
            return await CommandErrors.Guard(body);
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidDataException or KeyNotFoundException or NotSupportedException)
        {
            Console.Error.WriteLine($"\ncokv: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("\ncokv: stopped; the checkpoints written so far are kept (run the same command again to resume).");
            return 130;
        }
    }

    public static Stopwatch Clock() => Stopwatch.StartNew();
}
