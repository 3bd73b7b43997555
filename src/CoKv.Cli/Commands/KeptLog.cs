using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using CoKv.Profiling;
using CoKv.Tokenization;

namespace CoKv.Cli.Commands;

/// <summary>
/// <c>cokv eval --dump-kept</c>: per sample, policy and budget, the prompt positions every KV head kept and where the
/// sample's facts (the values, names, words an answer must contain) stand in the prompt, with the heads that kept each
/// occurrence. A fact is found where one prompt token decodes to it (the default model's vocabulary is one word a
/// token; a fact spread over several tokens is listed with no occurrence). The summary counts, per fact index
/// (hop k of a variable chain), how often its first occurrence, the one a copy must read, survived.
/// </summary>
sealed class KeptLog : IDisposable
{
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never };
    readonly StreamWriter _writer;
    readonly ITokenizer _tokenizer;
    readonly int _kvHeads;
    readonly Dictionary<(string Type, string Policy, int Budget, int Fact), (int Samples, int Kept, int Heads)> _summary = [];

    KeptLog(StreamWriter writer, ITokenizer tokenizer, int kvHeads)
    {
        _writer = writer;
        _tokenizer = tokenizer;
        _kvHeads = kvHeads;
    }

    public static KeptLog Create(string path, ITokenizer tokenizer, int kvHeads)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return new KeptLog(new StreamWriter(full, append: false) { AutoFlush = true }, tokenizer, kvHeads);
    }

    public sealed record Occurrence(int Position, string Context, int[] KeptBy);
    public sealed record Fact(string Text, Occurrence[] Occurrences);
    public sealed record Line(string SampleId, string TaskType, string Policy, int Budget, int PromptLength, int KvHeads, Fact[] Facts, long[][] Kept);

    public void Write(EvalKept kept)
    {
        var words = kept.Prompt.Select(t => _tokenizer.Decode([t]).Trim()).ToArray();
        var sets = kept.Positions.Select(p => p.ToHashSet()).ToArray();
        var facts = kept.Facts.Select(f => new Fact(f, Enumerable.Range(0, words.Length).Where(p => words[p] == f.Trim())
            .Select(p => new Occurrence(p, string.Join(" ", words[Math.Max(0, p - 2)..Math.Min(words.Length, p + 2)]),
                Enumerable.Range(0, sets.Length).Where(h => sets[h].Contains(p)).ToArray())).ToArray())).ToArray();
        // The full cache keeps everything: its line would only repeat the prompt.
        if (kept.Policy != "full")
            _writer.WriteLine(JsonSerializer.Serialize(new Line(kept.SampleId, kept.TaskType, kept.Policy, kept.Budget, kept.Prompt.Length, _kvHeads, facts,
                kept.Positions.ToArray()), Json));
        for (int k = 0; k < facts.Length; k++)
        {
            var key = (kept.TaskType, kept.Policy, kept.Policy == "full" ? 0 : kept.Budget, k);
            var first = facts[k].Occurrences.FirstOrDefault();
            var (n, s, h) = _summary.GetValueOrDefault(key);
            _summary[key] = (n + 1, s + (first is { KeptBy.Length: > 0 } ? 1 : 0), h + (first?.KeptBy.Length ?? 0));
        }
    }

    /// <summary>Per task type, policy, budget and fact index: the share of samples whose fact k (first occurrence) some
    /// head kept, and the mean number of heads keeping it.</summary>
    public void PrintSummary()
    {
        Console.WriteLine($"{"task type",-20} {"policy",-10} {"budget",6} {"fact",4} {"kept",6} {"heads",6} {"n",4}");
        foreach (var (key, v) in _summary.Where(kv => kv.Key.Policy != "full").OrderBy(kv => kv.Key.Type, StringComparer.Ordinal)
                     .ThenBy(kv => kv.Key.Policy, StringComparer.Ordinal).ThenBy(kv => kv.Key.Budget).ThenBy(kv => kv.Key.Fact))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{key.Type,-20} {key.Policy,-10} {key.Budget,6} {key.Fact + 1,4} {(double)v.Kept / v.Samples,6:F2} {(double)v.Heads / v.Samples,6:F2} {v.Samples,4}"));
    }

    public void Dispose() => _writer.Dispose();
}
