// The consumer program of PackageConsumerTests: built outside the repository against the packed CoKv.SemanticKernel
// only (plus Semantic Kernel and Hosting), the way a user's app would be. Arguments: model path, prompt file.
using CoKv.SemanticKernel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

var builder = Host.CreateApplicationBuilder();
builder.Services.AddCoKvChatClient(o => o.ModelPath = args[0]).UseLogging();
builder.Services.AddKernel();
using var host = builder.Build();
await host.StartAsync();

var chat = host.Services.GetRequiredService<Kernel>().GetRequiredService<IChatCompletionService>();
var reply = await chat.GetChatMessageContentAsync(File.ReadAllText(args[1]), new CoKvPromptExecutionSettings { MaxTokens = 24 });
Console.WriteLine($"ANSWER[{reply.Content}]");
Console.WriteLine($"POLICY[{reply.Metadata?[CoKvMetadataKeys.Policy]}]");
await host.StopAsync();
