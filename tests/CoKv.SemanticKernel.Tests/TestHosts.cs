using CoKv.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CoKv.SemanticKernel.Tests;

/// <summary>Hosts the way a user's app would: host builder, AddCoKvChatClient, AddKernel; the model is stories260K.</summary>
static class TestHosts
{
    public static string ModelPath => TestPaths.SharedModel("stories260K.gguf");

    /// <summary>A story opening long enough (≈ 90 tokens) for a budget of 16 tokens per head to drop most of it.</summary>
    public const string Story =
        "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her dog Max. " +
        "One day, Lily saw a big red ball under a tree. She ran to the ball and picked it up. Max barked and wagged his tail. " +
        "Lily threw the ball and Max ran after it.";

    public static void Configure(CoKvOptions o, string profileDirectory)
    {
        o.ModelPath = ModelPath;
        o.ProfileDirectory = profileDirectory;
        o.DefaultBudget = 16;
        o.Window = 4;
        o.Threads = 1;
    }

    public static IHost Build(Action<CoKvOptions>? tweak = null, Action<IServiceCollection>? services = null, string? profileDirectory = null)
    {
        var dir = profileDirectory ?? TestPaths.TempDir("cokv-sk-profiles");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddCoKvChatClient(o =>
        {
            Configure(o, dir);
            tweak?.Invoke(o);
        });
        services?.Invoke(builder.Services);
        builder.Services.AddKernel();
        return builder.Build();
    }
}
