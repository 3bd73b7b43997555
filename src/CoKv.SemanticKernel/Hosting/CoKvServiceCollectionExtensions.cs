using CoKv.Profiling;
using CoKv.SemanticKernel.Engine;
using CoKv.SemanticKernel.Hosting;
using CoKv.SemanticKernel.Profiling;
using CoKv.SemanticKernel.Selection;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers CoKv like Semantic Kernel's own connectors: one model instance per registration (a singleton, loaded on
/// first use unless <see cref="CoKv.SemanticKernel.CoKvOptions.LoadOnStart"/>), keyed by the service id when one is
/// given. Options are named by the service id and validated when the host starts.
/// </summary>
public static class CoKvServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IChatClient"/> (keyed by <paramref name="serviceId"/> when given) and, over it,
    /// <see cref="IChatCompletionService"/>. Returns the client's <see cref="ChatClientBuilder"/>, as
    /// <c>AddChatClient</c> / <c>AddKeyedChatClient</c> do, so middleware composes at registration:
    /// <c>.UseLogging().UseOpenTelemetry().UseFunctionInvocation()</c>. Semantic Kernel's service goes through the
    /// same pipeline.
    /// </summary>
    public static ChatClientBuilder AddCoKvChatClient(this IServiceCollection services, Action<CoKv.SemanticKernel.CoKvOptions>? configure = null, string? serviceId = null)
    {
        AddCore(services, serviceId, configure, null);
        return AddChatClientPipeline(services, serviceId);
    }

    /// <summary>As <see cref="AddCoKvChatClient(IServiceCollection, Action{CoKv.SemanticKernel.CoKvOptions}?, string?)"/>, options bound from a configuration section.</summary>
    public static ChatClientBuilder AddCoKvChatClient(this IServiceCollection services, IConfiguration configuration, string? serviceId = null)
    {
        AddCore(services, serviceId, null, configuration);
        return AddChatClientPipeline(services, serviceId);
    }

    /// <summary>Registers <see cref="IChatCompletionService"/> only (the chat client behind it is not exposed).</summary>
    public static IServiceCollection AddCoKvChatCompletion(this IServiceCollection services, Action<CoKv.SemanticKernel.CoKvOptions>? configure = null, string? serviceId = null)
    {
        AddCore(services, serviceId, configure, null);
        AddChatCompletion(services, serviceId);
        return services;
    }

    public static IServiceCollection AddCoKvChatCompletion(this IServiceCollection services, IConfiguration configuration, string? serviceId = null)
    {
        AddCore(services, serviceId, null, configuration);
        AddChatCompletion(services, serviceId);
        return services;
    }

    /// <summary>
    /// Adds <see cref="ProfilingHostedService"/>, <see cref="IProfileStatus"/> and the "cokv-profiles" health check.
    /// Profiles are built with the engine's <see cref="ProfileBuilder"/> over the registration's model, or with the
    /// application's own <see cref="IProfileBuilder"/> when it registers one.
    /// </summary>
    public static IServiceCollection AddCoKvProfiling(this IServiceCollection services, Action<CoKvProfilingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<CoKvProfilingOptions>().Configure(configure).ValidateOnStart();
        return AddProfilingCore(services);
    }

    public static IServiceCollection AddCoKvProfiling(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CoKvProfilingOptions>().Bind(configuration).ValidateOnStart();
        return AddProfilingCore(services);
    }

    static IServiceCollection AddProfilingCore(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CoKvProfilingOptions>, CoKvProfilingOptionsValidator>());
        if (services.Any(d => d.ServiceType == typeof(ProfileStatusBoard))) return services;
        // The engine's builder unless the application registers its own IProfileBuilder (before or after this call).
        services.TryAddSingleton<IProfileBuilder>(sp =>
        {
            var serviceId = sp.GetRequiredService<IOptions<CoKvProfilingOptions>>().Value.ServiceId;
            return new HostedModelProfileBuilder(sp.GetKeyedService<CoKvModelHost>(serviceId)
                ?? throw new InvalidOperationException("AddCoKvProfiling: no CoKv registration to profile; call AddCoKvChatClient first."));
        });
        services.AddSingleton<ProfileStatusBoard>();
        services.AddSingleton<IProfileStatus>(sp => sp.GetRequiredService<ProfileStatusBoard>());
        services.AddSingleton<IHostedService>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<CoKvProfilingOptions>>().Value;
            var host = sp.GetKeyedService<CoKvModelHost>(options.ServiceId)
                       ?? throw new InvalidOperationException(
                           $"AddCoKvProfiling: no CoKv registration{(options.ServiceId is null ? "" : $" with service id '{options.ServiceId}'")}; call AddCoKvChatClient first.");
            return new ProfilingHostedService(host, sp.GetService<IProfileBuilder>(), options, sp.GetRequiredService<ProfileStatusBoard>(),
                sp.GetService<ILogger<ProfilingHostedService>>() ?? NullLogger<ProfilingHostedService>.Instance);
        });
        services.AddHealthChecks().AddCheck<ProfilingHealthCheck>("cokv-profiles", tags: ["cokv"]);
        return services;
    }

    static void AddCore(IServiceCollection services, string? serviceId, Action<CoKv.SemanticKernel.CoKvOptions>? configure, IConfiguration? configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        var name = serviceId ?? Options.Options.DefaultName;
        var options = services.AddOptions<CoKv.SemanticKernel.CoKvOptions>(name);
        if (configuration is not null) options.Bind(configuration);
        if (configure is not null) options.Configure(configure);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CoKv.SemanticKernel.CoKvOptions>, CoKv.SemanticKernel.CoKvOptionsValidator>());
        services.TryAddSingleton<ITaskClassifier, RuleTaskClassifier>();
        services.TryAddSingleton<ICacheCompressorFactory, CacheCompressorFactory>();

        if (services.Any(d => d.ServiceType == typeof(CoKvModelHost) && Equals(d.ServiceKey, serviceId))) return;
        services.AddKeyedSingleton(serviceId, (sp, _) => new CoKvModelHost(
            sp.GetRequiredService<IOptionsMonitor<CoKv.SemanticKernel.CoKvOptions>>().Get(name),
            sp.GetService<ILoggerFactory>()?.CreateLogger<CoKvModelHost>() ?? (ILogger)NullLogger.Instance));
        services.AddKeyedSingleton(serviceId, (sp, _) =>
        {
            var host = sp.GetRequiredKeyedService<CoKvModelHost>(serviceId);
            var selector = sp.GetService<IBudgetProfileSelector>() ?? new BudgetProfileSelector(host.Options, sp.GetService<ITaskClassifier>());
            return new CoKv.SemanticKernel.CoKvChatClient(host, selector, sp.GetService<ICacheCompressorFactory>(),
                sp.GetService<ILogger<CoKv.SemanticKernel.CoKvChatClient>>());
        });
        services.AddKeyedSingleton(serviceId, (sp, _) => new CoKv.SemanticKernel.LlamaSharpChatClient(
            sp.GetRequiredService<IOptionsMonitor<CoKv.SemanticKernel.CoKvOptions>>().Get(name),
            sp.GetService<ILogger<CoKv.SemanticKernel.LlamaSharpChatClient>>()));
        services.AddSingleton<IHostedService>(sp =>
        {
            var options = sp.GetRequiredService<IOptionsMonitor<CoKv.SemanticKernel.CoKvOptions>>().Get(name);
            if (options.Engine == CoKv.SemanticKernel.CoKvEngine.LlamaSharp)
            {
                var llama = sp.GetRequiredKeyedService<CoKv.SemanticKernel.LlamaSharpChatClient>(serviceId);
                return new ModelLoadHostedService(options.LoadOnStart, llama.LoadAsync);
            }
            var host = sp.GetRequiredKeyedService<CoKvModelHost>(serviceId);
            return new ModelLoadHostedService(options.LoadOnStart, async ct => await host.GetModelAsync(ct).ConfigureAwait(false));
        });
    }

    static ChatClientBuilder AddChatClientPipeline(IServiceCollection services, string? serviceId)
    {
        var builder = serviceId is null
            ? services.AddChatClient(sp => Client(sp, null).Client)
            : services.AddKeyedChatClient(serviceId, sp => Client(sp, serviceId).Client);
        // Over the built pipeline, so the middleware added to the builder applies to kernels too.
        services.TryAddKeyedSingleton<IChatCompletionService>(serviceId, (sp, _) =>
            new CoKv.SemanticKernel.CoKvChatCompletionService(sp.GetRequiredKeyedService<IChatClient>(serviceId), Client(sp, serviceId).ModelId));
        return builder;
    }

    static void AddChatCompletion(IServiceCollection services, string? serviceId) =>
        services.TryAddKeyedSingleton<IChatCompletionService>(serviceId, (sp, _) =>
        {
            var (client, modelId) = Client(sp, serviceId);
            return new CoKv.SemanticKernel.CoKvChatCompletionService(client, modelId);
        });

    /// <summary>The registration's client for the engine its options name, so configuration alone switches engines.</summary>
    static (IChatClient Client, string ModelId) Client(IServiceProvider sp, string? serviceId)
    {
        var options = sp.GetRequiredService<IOptionsMonitor<CoKv.SemanticKernel.CoKvOptions>>().Get(serviceId ?? Options.Options.DefaultName);
        if (options.Engine == CoKv.SemanticKernel.CoKvEngine.LlamaSharp)
        {
            var llama = sp.GetRequiredKeyedService<CoKv.SemanticKernel.LlamaSharpChatClient>(serviceId);
            return (llama, llama.ModelId);
        }
        var cokv = sp.GetRequiredKeyedService<CoKv.SemanticKernel.CoKvChatClient>(serviceId);
        return (cokv, cokv.ModelId);
    }
}
