using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CoKv.Generation.Constraints;
using CoKv.Tokenization;

namespace CoKv.Benchmarks;

/// <summary>
/// The cost of constrained decoding per step: a tool-call grammar (object, string, integer, enum, boolean, array of
/// strings) is walked by drawing a random allowed token at each step (a random model's worst case: strings run to
/// their limit, so most steps are inside strings), and each step's mask is timed.
/// </summary>
public static class ConstraintBenchmark
{
    public const string ToolSchema = """
        {"type": "object", "properties": {
          "city": {"type": "string", "description": "City name"},
          "days": {"type": "integer"},
          "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
          "details": {"type": "boolean"},
          "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3}
        }, "required": ["city", "days", "unit"]}
        """;

    public sealed record Result(int VocabSize, double VocabularyBuildMs, double GrammarBuildMs, int Steps, double MedianMs, double P95Ms, double MaxMs, double MeanMs, string SampleOutput);

    /// <param name="tokenLimit">A token limit to steer to (the mask's finishing work is then timed too); 0 for none.</param>
    public static Result Run(ITokenizer tokenizer, int runs, int seed, TextWriter? log = null, int tokenLimit = 0)
    {
        var clock = Stopwatch.StartNew();
        var vocabulary = TokenVocabulary.For(tokenizer);
        var vocabularyMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        using var schema = JsonDocument.Parse(ToolSchema);
        var grammar = GrammarNode.Sequence(GrammarNode.Literal("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": "),
            JsonSchemaGrammar.FromSchema(schema.RootElement), GrammarNode.Literal("}\n</tool_call>"));
        var grammarMs = clock.Elapsed.TotalMilliseconds;

        var random = new Random(seed);
        var times = new List<double>();
        var allowed = new bool[vocabulary.Size];
        string sample = "";
        for (int run = 0; run < runs; run++)
        {
            var constraint = new GrammarConstraint(grammar, tokenizer);
            var text = new List<byte>();
            int limit = tokenLimit > 0 ? tokenLimit : 2000;
            for (int step = 0; step < limit; step++)
            {
                clock.Restart();
                constraint.FillMask(allowed, tokenLimit > 0 ? limit - step : int.MaxValue);
                times.Add(clock.Elapsed.TotalMilliseconds);
                // Stop as soon as the grammar is complete (a model would draw EOS there).
                if (constraint.IsComplete) break;
                int pick = -1, seen = 0;
                for (int i = 0; i < allowed.Length; i++)
                    if (allowed[i] && random.Next(++seen) == 0) pick = i;
                constraint.Advance(pick);
                text.AddRange(tokenizer.TokenBytes(pick, renderSpecial: true));
            }
            if (run == 0) sample = Encoding.UTF8.GetString(text.ToArray());
            log?.WriteLine($"run {run}: {times.Count} steps so far");
        }
        times.Sort();
        return new Result(vocabulary.Size, vocabularyMs, grammarMs, times.Count, times[times.Count / 2], times[(int)(times.Count * 0.95)], times[^1], times.Average(), sample);
    }
}
