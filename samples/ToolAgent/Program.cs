using CoKv.SemanticKernel;
using CoKv.Samples;
using CoKv.Samples.ToolAgent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

// usage: dotnet run --project samples/ToolAgent [-- MODEL]
var modelPath = SampleModel.Resolve(args.ElementAtOrDefault(0));

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddCoKvChatClient(o =>
{
    o.ModelPath = modelPath;
    o.ProfileDirectory = Path.Combine(AppContext.BaseDirectory, "profiles");
    o.DefaultBudget = 32;
    o.Threads = 2;
});
builder.Services.AddKernel();
using var host = builder.Build();
await host.StartAsync();

var kernel = host.Services.GetRequiredService<Kernel>();
var codes = new CodeBook();
kernel.ImportPluginFromObject(codes, "codes");
var chat = kernel.GetRequiredService<IChatCompletionService>();
Console.WriteLine($"model    {modelPath}");
Console.WriteLine("tools    codes.lookup(key: tano | pake | mefi | mige | vesa)");

foreach (var key in new[] { CodeKey.pake, CodeKey.vesa, CodeKey.mige })
{
    var history = new ChatHistory();
    history.AddUserMessage($"what is the secret code {key} ?");
    codes.Calls.Clear();
    // Required: the model must call a function first (forced by constrained decoding); its result is fed back and
    // the model then answers in text.
    var settings = new CoKvPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Required(), MaxTokens = 128, Budget = 32, BudgetPolicy = "ada" };
    var reply = await chat.GetChatMessageContentAsync(history, settings, kernel);

    Console.WriteLine();
    Console.WriteLine($"Q        what is the secret code {key} ?");
    foreach (var item in history.SelectMany(m => m.Items))
        switch (item)
        {
            case FunctionCallContent call:
                Console.WriteLine($"call     {call.PluginName}.{call.FunctionName}({string.Join(", ", call.Arguments?.Select(a => $"{a.Key}: {a.Value}") ?? [])})");
                break;
            case FunctionResultContent result:
                Console.WriteLine($"result   {result.Result}");
                break;
        }
    var answer = reply.Content?.Trim() ?? "";
    var expected = CodeBook.Expected(key);
    Console.WriteLine($"answer   {answer}");
    Console.WriteLine($"expected {expected}   (looked up {(codes.Calls.Contains(key.ToString()) ? "the right key" : "key " + string.Join(",", codes.Calls))}; answer {(answer.Contains(expected) ? "right" : "wrong")})");
    var meta = reply.Metadata ?? new Dictionary<string, object?>();
    Console.WriteLine($"KV cache {SampleModel.Bytes(meta.GetValueOrDefault(CoKvMetadataKeys.KvBytes))} kept of {SampleModel.Bytes(meta.GetValueOrDefault(CoKvMetadataKeys.KvBytesFull))} full "
        + $"(policy {meta.GetValueOrDefault(CoKvMetadataKeys.Policy)}, budget {meta.GetValueOrDefault(CoKvMetadataKeys.Budget)}/head, prompt {meta.GetValueOrDefault(CoKvMetadataKeys.PromptTokens)} tokens)");
}
await host.StopAsync();
