using System.Text.Json;
using System.Text.Json.Serialization;
using CoKv.Profiling;

namespace CoKv.Cli.Commands;

/// <summary><c>cokv eval --answers</c>: one JSON object per answer, flushed as it comes, so a stopped run keeps what it did.</summary>
sealed class AnswerLog : IDisposable
{
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never };
    readonly StreamWriter _writer;

    AnswerLog(StreamWriter writer) => _writer = writer;

    public static AnswerLog Create(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return new AnswerLog(new StreamWriter(full, append: false) { AutoFlush = true });
    }

    public void Write(EvalAnswer answer) => _writer.WriteLine(JsonSerializer.Serialize(answer, Json));

    public void Dispose() => _writer.Dispose();
}
