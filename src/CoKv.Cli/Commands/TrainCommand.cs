using System.CommandLine;
using CoKv.Training;

namespace CoKv.Cli.Commands;

/// <summary><c>cokv train</c>: trains the project's default model (resumable; see models/cokv-default/README.md).</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder for checkpoints and the exported model.", DefaultValueFactory = _ => "artifacts/train" };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps.", DefaultValueFactory = _ => 6000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the data and the initial weights.", DefaultValueFactory = _ => 1234 };
        var threads = new Option<int>("--threads") { Description = "CPU threads.", DefaultValueFactory = _ => 2 };
        var tokens = new Option<int>("--tokens-per-step") { Description = "Tokens per optimizer step.", DefaultValueFactory = _ => 4096 };
        var evalEvery = new Option<int>("--eval-every") { Description = "Steps between held-out evaluations.", DefaultValueFactory = _ => 250 };
        var device = new Option<string>("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var export = new Option<string?>("--export") { Description = "Write the trained model as GGUF to this path (after training, or at once when the checkpoint is complete)." };
        var show = new Option<int>("--show-samples") { Description = "Print one generated sample of each task at this length and exit." };
        var command = new Command("train", "Train the default model on generated long documents.") { output, steps, seed, threads, tokens, evalEvery, device, export, show };
        command.SetAction(async (parse, cancellation) =>
        {
            if (parse.GetValue(show) is > 0 and var length)
            {
                var vocabulary = new TrainingVocabulary();
                var corpus = new TrainingCorpus(vocabulary);
                foreach (var task in Enum.GetValues<TrainingTask>())
                    Console.WriteLine($"--- {task}\n{vocabulary.Text(corpus.Generate(task, length, new Random(parse.GetValue(seed))).Tokens)}\n");
                return 0;
            }
            var options = new TrainingOptions
            {
                OutputDirectory = parse.GetValue(output)!,
                Steps = parse.GetValue(steps),
                Seed = parse.GetValue(seed),
                Threads = parse.GetValue(threads),
                TokensPerStep = parse.GetValue(tokens),
                EvaluateEvery = parse.GetValue(evalEvery),
                Device = parse.GetValue(device)!,
            };
            // The trainer logs "step N/STEPS ..." lines: they drive the bar (and print above it).
            var (trainer, decoder) = await CliProgress.RunSync("train steps", bar =>
            {
                bar.ProgressFromLine = StepOf;
                var run = new Trainer(options, bar.Log);
                return (run, run.Run(cancellation));
            });
            using var _ = decoder;
            if (parse.GetValue(export) is { } path)
            {
                DefaultModelExporter.Export(decoder, trainer.Vocabulary, path);
                Console.Error.WriteLine($"train: wrote {path}");
            }
            return 0;
        });
        return command;
    }

    static WorkProgress? StepOf(string line)
    {
        var m = System.Text.RegularExpressions.Regex.Match(line, @"^step (\d+)/(\d+)\b");
        return m.Success ? new WorkProgress(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value)) : null;
    }
}
