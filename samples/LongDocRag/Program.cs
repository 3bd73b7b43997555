using System.Text.RegularExpressions;
using CoKv.SemanticKernel;
using CoKv.Samples;
using CoKv.Samples.LongDocRag;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;

// usage: dotnet run --project samples/LongDocRag [-- MODEL [DOCUMENT]]
var modelPath = SampleModel.Resolve(args.ElementAtOrDefault(0));
var documentPath = args.ElementAtOrDefault(1) ?? Path.Combine(AppContext.BaseDirectory, "data", "document.txt");
var document = File.ReadAllText(documentPath);

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
var retriever = new LexicalRetriever(document);
kernel.ImportPluginFromObject(retriever, "retriever");
Console.WriteLine($"model    {modelPath}");
Console.WriteLine($"document {documentPath}: {document.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length} words, {retriever.Chunks.Count} chunks, top {retriever.TopK} retrieved per question");

// The questions come from the document's own facts, so any document in the default model's format works.
var facts = Regex.Matches(document, @"the secret code (\w+) (\w+) \.").Select(m => (Key: m.Groups[1].Value, Value: m.Groups[2].Value)).ToList();
if (facts.Count == 0) Console.WriteLine("No 'the secret code KEY VALUE .' facts in this document; nothing to ask.");
var asked = facts.Where((_, i) => i % 2 == 0).Take(4);

const string template = "{{retriever.Search $question}} {{$question}}";
foreach (var (key, value) in asked)
{
    var question = $"what is the secret code {key} ?";
    var settings = new CoKvPromptExecutionSettings { MaxTokens = 16, Budget = 32, BudgetPolicy = "ada" };
    var result = await kernel.InvokePromptAsync(template, new KernelArguments(settings) { ["question"] = question });
    var message = result.GetValue<ChatMessageContent>();
    var meta = message?.Metadata ?? new Dictionary<string, object?>();
    var answer = message?.Content?.Trim() ?? "";
    // The same prompt on the full cache: what the budget costs (or not) on this model.
    var full = await kernel.InvokePromptAsync(template, new KernelArguments(new CoKvPromptExecutionSettings { MaxTokens = 16, BudgetPolicy = "full" }) { ["question"] = question });
    Console.WriteLine();
    Console.WriteLine($"Q        {question}");
    Console.WriteLine($"answer   {answer}   (budget 32)");
    Console.WriteLine($"full KV  {full.GetValue<ChatMessageContent>()?.Content?.Trim()}");
    Console.WriteLine($"expected the secret code {key} {value} .   ({(answer.Contains(value) ? "right" : "wrong")})");
    Console.WriteLine($"KV cache {SampleModel.Bytes(meta.GetValueOrDefault(CoKvMetadataKeys.KvBytes))} kept of {SampleModel.Bytes(meta.GetValueOrDefault(CoKvMetadataKeys.KvBytesFull))} full "
        + $"(policy {meta.GetValueOrDefault(CoKvMetadataKeys.Policy)}, budget {meta.GetValueOrDefault(CoKvMetadataKeys.Budget)}/head, prompt {meta.GetValueOrDefault(CoKvMetadataKeys.PromptTokens)} tokens)");
}
await host.StopAsync();
