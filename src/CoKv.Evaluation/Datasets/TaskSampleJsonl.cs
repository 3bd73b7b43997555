using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CoKv.Datasets;

/// <summary>
/// Reads and writes LongBench's JSONL format (one object per line: <c>input</c>, <c>context</c>, <c>answers</c>,
/// <c>all_classes</c>, <c>length</c>, <c>dataset</c>, <c>language</c>, <c>_id</c>). We add an optional
/// <c>category</c>; files without it (LongBench's own) get it from <see cref="DatasetCatalog"/>.
/// </summary>
public static class TaskSampleJsonl
{
    /// <param name="category">Category for every sample, overriding the file and the catalog.</param>
    /// <param name="dataset">Dataset name for lines that lack <c>dataset</c> (it is then usually the file's stem).</param>
    public static IReadOnlyList<TaskSample> Load(string path, string? category = null, string? dataset = null)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Read(reader, category, dataset ?? Path.GetFileNameWithoutExtension(path), path);
    }

    public static IReadOnlyList<TaskSample> Read(TextReader reader, string? category = null, string? dataset = null, string source = "<stream>")
    {
        var samples = new List<TaskSample>();
        var lineNo = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                samples.Add(Parse(line, category, dataset, lineNo));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{source}:{lineNo}: {e.Message}", e);
            }
        }
        return samples;
    }

    public static void Save(string path, IEnumerable<TaskSample> samples)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        using var writer = new StreamWriter(full, append: false, new UTF8Encoding(false));
        Write(writer, samples);
    }

    public static void Write(TextWriter writer, IEnumerable<TaskSample> samples)
    {
        foreach (var s in samples)
        {
            writer.Write(ToJson(s));
            // Always \n: JSONL readers elsewhere (Python) split on it, whatever the OS.
            writer.Write('\n');
        }
    }

    public static string ToJson(TaskSample s)
    {
        var obj = new JsonObject
        {
            ["input"] = s.Input,
            ["context"] = s.Context,
            ["answers"] = new JsonArray(s.Answers.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
            ["length"] = s.Length,
            ["dataset"] = s.Dataset,
            ["language"] = s.Language,
            ["all_classes"] = s.AllClasses is null ? null : new JsonArray(s.AllClasses.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
            ["_id"] = s.Id,
            ["category"] = s.Category,
        };
        return obj.ToJsonString(new JsonSerializerOptions { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    static TaskSample Parse(string line, string? categoryOverride, string? defaultDataset, int lineNo)
    {
        var node = JsonNode.Parse(line) as JsonObject ?? throw new FormatException("Expected a JSON object.");
        var dataset = Str(node, "dataset") ?? defaultDataset ?? throw new FormatException("Missing \"dataset\".");
        var category = categoryOverride ?? Str(node, "category")
            ?? (DatasetCatalog.TryGet(dataset, out var info) ? info.Category : null)
            ?? throw new FormatException($"Dataset '{dataset}' has no known task category: add \"category\" to the file or pass one.");
        var answers = StrList(node, "answers") ?? throw new FormatException("Missing \"answers\".");
        return new TaskSample(
            Id: Str(node, "_id") ?? $"{dataset}-{lineNo}",
            Dataset: dataset,
            Category: category,
            Context: Str(node, "context") ?? "",
            Input: Str(node, "input") ?? "",
            Answers: answers,
            AllClasses: StrList(node, "all_classes"),
            Length: node["length"] is JsonValue len ? len.GetValue<int>() : 0,
            Language: Str(node, "language") ?? "en");
    }

    static string? Str(JsonObject o, string name) => o[name] is JsonValue v ? v.ToString() : null;

    static IReadOnlyList<string>? StrList(JsonObject o, string name) => o[name] switch
    {
        null => null,
        JsonArray a => a.Select(x => x?.ToString() ?? "").ToArray(),
        // A few LongBench-derived files carry a bare string where a list is expected.
        JsonValue v => [v.ToString()],
        _ => throw new FormatException($"\"{name}\" must be a list of strings."),
    };
}
