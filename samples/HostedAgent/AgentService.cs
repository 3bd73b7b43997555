using CoKv.Profiling;
using CoKv.SemanticKernel;
using CoKv.SemanticKernel.Profiling;
using Microsoft.Extensions.Hosting;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace CoKv.Samples.HostedAgent;

/// <summary>
/// The agent: answers questions from the moment the host starts, without waiting for profiling, and says for each
/// answer which policy served it; stops the application once it has answered a few with the finished profile.
/// </summary>
public sealed class AgentService(Kernel kernel, IProfileStatus status, IHostApplicationLifetime lifetime) : BackgroundService
{
    public const string TaskType = "single-doc-qa";
    const int MaxQuestions = 16, AnswersAfterReady = 2;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var lastPrinted = DateTime.MinValue;
        status.Changed += state =>
        {
            // Progress arrives per draw; a line every second is enough to watch it.
            if (state.Stage == ProfileBuildStage.Building && DateTime.UtcNow - lastPrinted < TimeSpan.FromSeconds(1)) return;
            lastPrinted = DateTime.UtcNow;
            Console.WriteLine($"  [profiling] {state}");
        };

        var chat = kernel.GetRequiredService<IChatCompletionService>();
        var samples = DefaultTaskSamples.Generate("default:single-needle", 512, MaxQuestions, seed: 11);
        int afterReady = 0;
        foreach (var (sample, i) in samples.Select((s, i) => (s, i + 1)))
        {
            if (stoppingToken.IsCancellationRequested) break;
            bool ready = status.Get(TaskType)?.Stage == ProfileBuildStage.Ready;
            var settings = new CoKvPromptExecutionSettings { TaskType = TaskType, MaxTokens = 12, Budget = 32 };
            var reply = await chat.GetChatMessageContentAsync(new ChatHistory([new(AuthorRole.User, $"{sample.Context} {sample.Input}")]), settings, cancellationToken: stoppingToken);
            var meta = reply.Metadata ?? new Dictionary<string, object?>();
            Console.WriteLine($"#{i,-2} {sample.Input}");
            Console.WriteLine($"    answer   {reply.Content?.Trim()}");
            Console.WriteLine($"    expected {sample.Answers[0]}");
            Console.WriteLine($"    policy {meta.GetValueOrDefault(CoKvMetadataKeys.Policy)}, reason {meta.GetValueOrDefault(CoKvMetadataKeys.ProfileReason)}, "
                + $"profile {Path.GetFileName(meta.GetValueOrDefault(CoKvMetadataKeys.Profile)?.ToString()) ?? "-"}, "
                + $"KV {SampleModel.Bytes(meta.GetValueOrDefault(CoKvMetadataKeys.KvBytes))} of {SampleModel.Bytes(meta.GetValueOrDefault(CoKvMetadataKeys.KvBytesFull))}");
            if (ready && ++afterReady >= AnswersAfterReady) break;
        }
        Console.WriteLine($"done; profile status: {string.Join("; ", status.TaskTypes)}");
        lifetime.StopApplication();
    }
}
