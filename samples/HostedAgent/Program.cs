using CoKv.Datasets;
using CoKv.Profiling;
using CoKv.Samples;
using CoKv.Samples.HostedAgent;
using CoKv.SemanticKernel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// usage: dotnet run --project samples/HostedAgent [-- MODEL]
var modelPath = SampleModel.Resolve(args.ElementAtOrDefault(0));
// A fresh profile directory each run, so the agent always starts without its profile and switches to it once built.
var profiles = Directory.CreateTempSubdirectory("cokv-hosted-agent-").FullName;
var data = Path.Combine(profiles, "single-needle.jsonl");
TaskSampleJsonl.Save(data, DefaultTaskSamples.Generate("default:single-needle", 256, 4, seed: 1));

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddCoKvChatClient(o =>
{
    o.ModelPath = modelPath;
    o.ProfileDirectory = profiles;
    o.DefaultBudget = 32;
    o.Threads = 2;
    o.LoadOnStart = true;
});
// JSONL rather than "synthetic:default:single-needle": the profiling options' validator does not know the default kinds.
builder.Services.AddCoKvProfiling(o =>
{
    o.TaskTypes.Add(AgentService.TaskType, data);
    o.SamplesPerSize = 8;   // tiny, so the demo sees the switch within seconds; real profiles use the default 128 (converged) and longer samples
});
builder.Services.AddKernel();
builder.Services.AddHostedService<AgentService>();

using var host = builder.Build();
try
{
    await host.RunAsync();   // AgentService stops the host when its questions are answered
}
finally
{
    Directory.Delete(profiles, recursive: true);
}
