using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

// Semantic Kernel's connectors put their IKernelBuilder extensions in this namespace, where users look for them.
namespace Microsoft.SemanticKernel;

public static class CoKvKernelBuilderExtensions
{
    /// <summary>Adds a CoKv <see cref="ChatCompletion.IChatCompletionService"/> to the kernel, keyed by <paramref name="serviceId"/>.</summary>
    public static IKernelBuilder AddCoKvChatCompletion(this IKernelBuilder builder, Action<CoKv.SemanticKernel.CoKvOptions>? configure = null, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddCoKvChatCompletion(configure, serviceId);
        return builder;
    }

    public static IKernelBuilder AddCoKvChatCompletion(this IKernelBuilder builder, IConfiguration configuration, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddCoKvChatCompletion(configuration, serviceId);
        return builder;
    }

    /// <summary>Adds a CoKv <see cref="Microsoft.Extensions.AI.IChatClient"/> (and the chat completion service over it).</summary>
    public static IKernelBuilder AddCoKvChatClient(this IKernelBuilder builder, Action<CoKv.SemanticKernel.CoKvOptions>? configure = null, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddCoKvChatClient(configure, serviceId);
        return builder;
    }
}
