using CoKv.SemanticKernel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.SemanticKernel;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

// usage: dotnet run --project samples/CoKv.Sample -- [--trace] [MODEL [PROMPT]]
// --trace prints the request's spans and the metrics with OpenTelemetry's console exporter.
var trace = args.Contains("--trace");
var positional = args.Where(a => a != "--trace").ToArray();
var modelPath = positional.Length > 0 ? positional[0] : "../shared/models/stories260K.gguf";
var prompt = positional.Length > 1 ? positional[1] : "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her dog Max. One day,";

var builder = Host.CreateApplicationBuilder();
builder.Services.AddCoKvChatClient(o =>
    {
        o.ModelPath = modelPath;      // HF folder, .gguf or llama2.c checkpoint
        o.ProfileDirectory = "profiles";
        o.DefaultBudget = 16;         // mean tokens per KV head
    })
    .UseOpenTelemetry()               // M.E.AI's GenAI span around CoKv's own
    .UseLogging();
builder.Services.AddKernel();         // SK sees the IChatCompletionService too, through the same pipeline
if (trace)
    builder.Services.AddOpenTelemetry()
        .WithTracing(t => t.AddSource(CoKvTelemetry.SourceName, "Experimental.Microsoft.Extensions.AI").AddConsoleExporter())
        .WithMetrics(m => m.AddMeter(CoKvTelemetry.SourceName).AddConsoleExporter());
using var host = builder.Build();
await host.StartAsync();              // validates the options

var kernel = host.Services.GetRequiredService<Kernel>();
var settings = new CoKvPromptExecutionSettings { TaskType = "single-doc-qa", MaxTokens = 48 };
IReadOnlyDictionary<string, object?>? metadata = null;
await foreach (var chunk in kernel.InvokePromptStreamingAsync<StreamingChatMessageContent>(prompt, new(settings)))
{
    Console.Write(chunk.Content);
    metadata = chunk.Metadata ?? metadata;
}
Console.WriteLine();
foreach (var (key, value) in metadata ?? new Dictionary<string, object?>())
    Console.WriteLine($"  {key} = {(value is int[] a ? $"[{string.Join(",", a)}]" : value is Microsoft.Extensions.AI.UsageDetails u ? $"in {u.InputTokenCount}, out {u.OutputTokenCount}, cached {u.CachedInputTokenCount}" : value)}");
await host.StopAsync();
