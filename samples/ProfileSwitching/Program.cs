using CoKv.Datasets;
using CoKv.Profiling;
using CoKv.Samples;
using CoKv.SemanticKernel;
using CoKv.SemanticKernel.Engine;
using CoKv.SemanticKernel.Profiling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

// usage: dotnet run --project samples/ProfileSwitching [-- MODEL]
const int Budget = 32, DocumentLength = 512, SamplesPerCategory = 8;
var modelPath = SampleModel.Resolve(args.ElementAtOrDefault(0));

// "single-doc-qa" is the name RuleTaskClassifier gives a question over a long text, so needle requests can name no
// task type and still get their profile; the other two are asked for explicitly.
var categories = new (string TaskType, string Kind, bool Explicit)[]
{
    ("single-doc-qa", "default:single-needle", false),
    ("key-value", "default:key-value", true),
    ("frequent-word", "default:frequent-word", true),
};

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddCoKvChatClient(o =>
{
    o.ModelPath = modelPath;
    o.ProfileDirectory = Path.Combine(AppContext.BaseDirectory, "profiles");   // kept, so a second run skips profiling
    o.DefaultBudget = Budget;
    o.Threads = 2;
});
// The profiling options' validator knows only the RULER-style synthetic kinds, not "default:*", so the default
// model's samples reach it as JSONL files (the format `cokv profile --data` reads too).
var dataDirectory = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "profile-data")).FullName;
string DataFile(string kind)
{
    var path = Path.Combine(dataDirectory, kind.Replace(':', '-') + ".jsonl");
    TaskSampleJsonl.Save(path, DefaultTaskSamples.Generate(kind, 256, 4, seed: 1));
    return path;
}
// Tiny Sliced Shapley settings: a demo profile in seconds, not a good estimate (the CLI's `cokv profile` makes real ones).
builder.Services.AddCoKvProfiling(o =>
{
    foreach (var c in categories) o.TaskTypes.Add(c.TaskType, DataFile(c.Kind));
    o.SamplesPerSize = 2;
});
builder.Services.AddKernel();
using var host = builder.Build();
await host.StartAsync();

var status = host.Services.GetRequiredService<IProfileStatus>();
Console.WriteLine($"model {modelPath}");
Console.Write("profiles:");
while (!status.AllReady && !status.TaskTypes.Any(s => s.Stage == ProfileBuildStage.Failed))
{
    await Task.Delay(2000);
    Console.Write($" [{string.Join("; ", status.TaskTypes)}]");
}
Console.WriteLine();
foreach (var s in status.TaskTypes) Console.WriteLine($"  {s}");

var config = (await host.Services.GetRequiredService<CoKvModelHost>().GetModelAsync(CancellationToken.None)).Config;
var chat = host.Services.GetRequiredService<Kernel>().GetRequiredService<IChatCompletionService>();

async Task<(string Answer, IReadOnlyDictionary<string, object?> Meta)> Ask(string message, CoKvPromptExecutionSettings settings)
{
    var reply = await chat.GetChatMessageContentAsync(new ChatHistory([new(AuthorRole.User, message)]), settings);
    return (reply.Content?.Trim() ?? "", reply.Metadata ?? new Dictionary<string, object?>());
}

var accuracy = new List<string>();
foreach (var (taskType, kind, isExplicit) in categories)
{
    var samples = DefaultTaskSamples.Generate(kind, DocumentLength, SamplesPerCategory, seed: 7);
    int selectedRight = 0, snapRight = 0, fullRight = 0;
    string? policy = null;
    for (int i = 0; i < samples.Count; i++)
    {
        var s = samples[i];
        var message = $"{s.Context} {s.Input}";
        bool Right(string answer) => s.AllClasses!.All(f => answer.Contains(f, StringComparison.Ordinal));
        var selected = await Ask(message, new() { MaxTokens = 16, Budget = Budget, TaskType = isExplicit ? taskType : null });
        var snap = await Ask(message, new() { MaxTokens = 16, Budget = Budget, BudgetPolicy = "snapkv" });
        var full = await Ask(message, new() { MaxTokens = 16, BudgetPolicy = "full" });
        selectedRight += Right(selected.Answer) ? 1 : 0;
        snapRight += Right(snap.Answer) ? 1 : 0;
        fullRight += Right(full.Answer) ? 1 : 0;
        policy ??= $"{selected.Meta.GetValueOrDefault(CoKvMetadataKeys.Policy)}";
        if (i > 0) continue;

        Console.WriteLine();
        Console.WriteLine($"== {kind} ({(isExplicit ? $"task_type = {taskType}" : "no task type given")})");
        Console.WriteLine($"Q        {s.Input}");
        Console.WriteLine($"selected {selected.Answer}");
        Console.WriteLine($"snapkv   {snap.Answer}");
        Console.WriteLine($"expected {s.Answers[0]}");
        var m = selected.Meta;
        Console.WriteLine($"chose    policy {m.GetValueOrDefault(CoKvMetadataKeys.Policy)}, task_type {m.GetValueOrDefault(CoKvMetadataKeys.TaskType)}, "
            + $"profile {Path.GetFileName(m.GetValueOrDefault(CoKvMetadataKeys.Profile)?.ToString())}, reason {m.GetValueOrDefault(CoKvMetadataKeys.ProfileReason)}"
            + (m.GetValueOrDefault(CoKvMetadataKeys.ProfileNote) is { } note ? $" ({note})" : ""));
        Console.WriteLine($"KV       {SampleModel.Bytes(m.GetValueOrDefault(CoKvMetadataKeys.KvBytes))} of {SampleModel.Bytes(m.GetValueOrDefault(CoKvMetadataKeys.KvBytesFull))} full");
        if (m.GetValueOrDefault(CoKvMetadataKeys.TokensPerHead) is int[] perHead) PrintHeads(perHead, config.LayerCount, config.KvHeadCount);
    }
    accuracy.Add($"{kind,-24} {policy,-10} {selectedRight}/{samples.Count,-10} {snapRight}/{samples.Count,-10} {fullRight}/{samples.Count}");
}

Console.WriteLine();
Console.WriteLine($"facts matched, {SamplesPerCategory} documents of {DocumentLength} tokens per category, budget {Budget} tokens per head on average:");
Console.WriteLine($"{"category",-24} {"selected",-10} {"right",-12} {"snapkv",-12} full cache");
accuracy.ForEach(Console.WriteLine);
await host.StopAsync();

static void PrintHeads(int[] perHead, int layers, int heads)
{
    Console.WriteLine($"tokens kept per KV head (layers x heads):");
    for (int l = 0; l < layers; l++)
        Console.WriteLine($"  L{l}  {string.Join(" ", perHead.Skip(l * heads).Take(heads).Select(t => $"{t,3}"))}");
}
