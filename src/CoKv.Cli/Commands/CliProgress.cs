using System.Diagnostics;
using System.Globalization;
using System.Text;
using Spectre.Console;

namespace CoKv.Cli.Commands;

/// <summary>Progress of long work: how much of how much is done.</summary>
readonly record struct WorkProgress(double Done, double Total);

/// <summary>
/// Long work's progress on stderr: a Spectre.Console bar with elapsed time and ETA when stderr is a terminal, plain
/// log lines (at most one every few seconds, and the last) when it is redirected, so logs and CI output stay readable.
/// Lines the work writes meanwhile go through <see cref="Log"/> and print above the bar.
/// </summary>
sealed class CliProgress
{
    static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(5);

    readonly string _what;
    readonly IAnsiConsole? _console;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    ProgressTask? _task;
    TimeSpan? _lastPlain;

    CliProgress(string what, IAnsiConsole? console)
    {
        _what = what;
        _console = console;
        Log = new LineWriter(WriteLine);
    }

    /// <summary>True when stderr is a terminal (Console.SetError in tests does not make it one).</summary>
    public static bool Interactive => !Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Where the work writes its log lines while the bar is shown.</summary>
    public TextWriter Log { get; }

    public IProgress<WorkProgress> Reporter => new Progress(this);

    /// <summary>Runs <paramref name="work"/> under a progress display named <paramref name="what"/>.</summary>
    public static async Task<T> Run<T>(string what, Func<CliProgress, Task<T>> work)
    {
        if (!Interactive) return await work(new CliProgress(what, null));
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Interactive = InteractionSupport.Yes,
        });
        return await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var progress = new CliProgress(what, console) { _task = context.AddTask(Markup.Escape(what), maxValue: 1) };
                var result = await work(progress);
                progress._task!.StopTask();
                return result;
            });
    }

    /// <summary>A synchronous body on a worker thread (the bar keeps drawing meanwhile).</summary>
    public static Task<T> RunSync<T>(string what, Func<CliProgress, T> work) => Run(what, p => Task.Run(() => work(p)));

    /// <summary>Reads progress from the work's own log lines (e.g. "step 10/6000"): null for lines that carry none.</summary>
    public Func<string, WorkProgress?>? ProgressFromLine { get; set; }

    /// <summary>Loads a model file behind a spinner when it is large and stderr is a terminal.</summary>
    public static T Loading<T>(string path, Func<T> load)
    {
        const long Large = 256L << 20;
        long size = File.Exists(path) ? new FileInfo(path).Length
            : Directory.Exists(path) ? new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;
        if (!Interactive || size < Large) return load();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error), Interactive = InteractionSupport.Yes });
        return console.Status().Start(Markup.Escape($"loading {Path.GetFileName(Path.TrimEndingDirectorySeparator(path))} ({size / 1048576.0:F0} MiB)"), _ => load());
    }

    void Report(WorkProgress value)
    {
        if (_task is { } task)
        {
            task.MaxValue = Math.Max(value.Total, 1e-9);
            task.Value = Math.Min(value.Done, task.MaxValue);
            return;
        }
        var elapsed = _clock.Elapsed;
        var finished = value.Done >= value.Total;
        if (!finished && _lastPlain is { } last && elapsed - last < PlainEvery) return;
        _lastPlain = elapsed;
        Console.Error.WriteLine(PlainLine(_what, value, elapsed));
    }

    /// <summary>"what: 3/12 (25%), elapsed 00:00:10, ETA 00:00:30".</summary>
    public static string PlainLine(string what, WorkProgress value, TimeSpan elapsed)
    {
        var eta = value.Done > 0 && value.Total > value.Done ? TimeSpan.FromSeconds(elapsed.TotalSeconds / value.Done * (value.Total - value.Done)) : TimeSpan.Zero;
        return string.Create(CultureInfo.InvariantCulture,
            $"{what}: {value.Done:0.##}/{value.Total:0.##} ({100.0 * value.Done / Math.Max(1e-9, value.Total):F0}%), elapsed {elapsed:hh\\:mm\\:ss}, ETA {eta:hh\\:mm\\:ss}");
    }

    void WriteLine(string line)
    {
        if (ProgressFromLine?.Invoke(line) is { } progress) Report(progress);
        if (_console is { } console) console.MarkupLine(Markup.Escape(line));
        else Console.Error.WriteLine(line);
    }

    sealed class Progress(CliProgress owner) : IProgress<WorkProgress>
    {
        public void Report(WorkProgress value) => owner.Report(value);
    }

    /// <summary>A TextWriter that hands on whole lines.</summary>
    sealed class LineWriter(Action<string> line) : TextWriter
    {
        readonly StringBuilder _pending = new();
        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_pending)
            {
                if (value == '\n')
                {
                    line(_pending.ToString().TrimEnd('\r'));
                    _pending.Clear();
                }
                else _pending.Append(value);
            }
        }

        public override void Write(string? value)
        {
            if (value is null) return;
            foreach (var c in value) Write(c);
        }

        public override void WriteLine(string? value)
        {
            Write(value);
            Write('\n');
        }
    }
}
