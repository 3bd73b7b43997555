using System.CommandLine;
using System.Globalization;
using CoKv.Generation;

namespace CoKv.Cli.Commands;

/// <summary><c>cokv generate</c>: streams a completion to stdout and its statistics to stderr.</summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var model = ModelPathOption.Create();
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer file for llama2.c checkpoints." };
        var prompt = new Option<string>("--prompt") { Description = "The text to continue.", Required = true };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most new tokens.", DefaultValueFactory = _ => 256 };
        var temperature = new Option<double>("--temperature") { Description = "0 is greedy.", DefaultValueFactory = _ => 0.0 };
        var topK = new Option<int>("--top-k") { Description = "Keep the k most likely tokens (0: all).", DefaultValueFactory = _ => 0 };
        var topP = new Option<double>("--top-p") { Description = "Keep the most likely tokens up to this probability mass.", DefaultValueFactory = _ => 1.0 };
        var seed = new Option<int>("--seed") { Description = "Seed of the sampler.", DefaultValueFactory = _ => 42 };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: torch's)." };
        var dtype = new Option<string>("--dtype") { Description = "f32 or bf16.", DefaultValueFactory = _ => "f32" };
        dtype.AcceptOnlyFromAmong("f32", "bf16");
        var command = new Command("generate", "Continue a prompt with the model; the completion goes to stdout, statistics to stderr.")
        {
            model, tokenizer, prompt, maxTokens, temperature, topK, topP, seed, threads, dtype,
        };
        command.SetAction((parse, cancellation) => CommandErrors.Guard(async () =>
        {
            using var engine = LocalModel.Load(ModelPathOption.Resolve(parse.GetValue(model)), new LocalModelOptions
            {
                TokenizerPath = parse.GetValue(tokenizer),
                Threads = parse.GetValue(threads),
                DType = parse.GetValue(dtype) == "bf16" ? RunDType.BF16 : RunDType.F32,
            });
            var request = new GenerationRequest
            {
                PromptTokens = engine.Tokenizer.Encode(parse.GetValue(prompt)!),
                MaxNewTokens = parse.GetValue(maxTokens),
                Sampling = new SamplingOptions
                {
                    Temperature = parse.GetValue(temperature),
                    TopK = parse.GetValue(topK),
                    TopP = parse.GetValue(topP),
                    Seed = parse.GetValue(seed),
                },
            };
            var stdout = Console.Out;
            GenerationResult? result = null;
            await foreach (var update in engine.GenerateAsync(request, cancellation))
            {
                stdout.Write(update.TextDelta);
                await stdout.FlushAsync(cancellation);
                result = update.Final ?? result;
            }
            stdout.WriteLine();
            if (result is { Stats: var s })
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"prompt tokens {s.PromptTokens}, generated tokens {s.GeneratedTokens} ({result.FinishReason}); prefill {s.PrefillTokensPerSecond:F1} tokens/s, decode {s.DecodeTokensPerSecond:F1} tokens/s"));
            return 0;
        }));
        return command;
    }
}
