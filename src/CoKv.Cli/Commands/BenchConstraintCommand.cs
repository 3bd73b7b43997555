using System.CommandLine;
using System.Globalization;
using CoKv.Benchmarks;
using CoKv.Tokenization;

namespace CoKv.Cli.Commands;

/// <summary><c>cokv bench-constraint</c>: per-step cost of constrained decoding (the token mask) on a vocabulary.</summary>
public static class BenchConstraintCommand
{
    public static Command Create()
    {
        var vocab = new Option<string>("--vocab") { Description = "A GGUF whose vocabulary to use (a model or a vocab-only file).", Required = true };
        var runs = new Option<int>("--runs") { Description = "Random tool calls generated (each to its end).", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var limit = new Option<int>("--token-limit") { Description = "Also time the steering to an end within this many tokens (0: none).", DefaultValueFactory = _ => 0 };
        var command = new Command("bench-constraint", "Time the constrained-decoding mask per step on a vocabulary (a tool-call JSON schema).") { vocab, runs, seed, limit };
        command.SetAction(parse =>
        {
            var tokenizer = TokenizerFactory.FromGguf(parse.GetValue(vocab)!);
            var r = ConstraintBenchmark.Run(tokenizer, parse.GetValue(runs), parse.GetValue(seed), Console.Error, parse.GetValue(limit));
            var f = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Format(f, "vocabulary {0:N0} tokens: index built in {1:F0} ms (once per tokenizer); grammar compiled in {2:F2} ms", r.VocabSize, r.VocabularyBuildMs, r.GrammarBuildMs));
            Console.WriteLine(string.Format(f, "mask per step{5} over {0} steps: median {1:F3} ms, mean {2:F3} ms, p95 {3:F3} ms, max {4:F3} ms", r.Steps, r.MedianMs, r.MeanMs, r.P95Ms, r.MaxMs,
                parse.GetValue(limit) > 0 ? $" (token limit {parse.GetValue(limit)}, steering)" : ""));
            Console.WriteLine("first output: " + r.SampleOutput.Replace("\n", "\\n"));
            return 0;
        });
        return command;
    }
}
