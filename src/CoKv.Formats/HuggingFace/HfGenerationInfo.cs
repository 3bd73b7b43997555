using System.Text.Json;
using CoKv.Models;

namespace CoKv.HuggingFace;

/// <summary>
/// BOS/EOS ids and the chat template of a Hugging Face model folder, from generation_config.json,
/// tokenizer_config.json (or chat_template.jinja) and config.json, in that order of preference.
/// </summary>
public sealed record HfGenerationInfo(int? BosId, IReadOnlyList<int> EosIds, string? BosToken, string? EosToken, string? ChatTemplate)
{
    public static HfGenerationInfo Read(string folder)
    {
        int? bos = null;
        var eos = new List<int>();
        string? bosToken = null, eosToken = null, template = null;

        void Ids(string file)
        {
            var path = Path.Combine(folder, file);
            if (!File.Exists(path)) return;
            using var doc = JsonFields.Load(path, file);
            var f = new JsonFields(doc.RootElement, path);
            if (bos is null && f.Ids("bos_token_id") is [var b, ..]) bos = b;
            if (eos.Count == 0) eos.AddRange(f.Ids("eos_token_id"));
        }

        Ids("generation_config.json");
        var tokConfig = Path.Combine(folder, "tokenizer_config.json");
        if (File.Exists(tokConfig))
        {
            using var doc = JsonFields.Load(tokConfig, "tokenizer_config.json");
            var f = new JsonFields(doc.RootElement, tokConfig);
            bosToken = TokenText(f.Get("bos_token"));
            eosToken = TokenText(f.Get("eos_token"));
            template = Template(f.Get("chat_template"));
        }
        var jinja = Path.Combine(folder, "chat_template.jinja");
        if (template is null && File.Exists(jinja)) template = File.ReadAllText(jinja);
        Ids("config.json");
        return new HfGenerationInfo(bos, eos, bosToken, eosToken, template);
    }

    // tokenizer_config.json writes special tokens as a string or as an AddedToken object with "content".
    static string? TokenText(JsonElement? e) => e switch
    {
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { ValueKind: JsonValueKind.Object } o when o.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String => c.GetString(),
        _ => null,
    };

    // A chat template is a string, or a list of {name, template} of which "default" is the chat one.
    static string? Template(JsonElement? e)
    {
        if (e is { ValueKind: JsonValueKind.String } s) return s.GetString();
        if (e is { ValueKind: JsonValueKind.Array } a)
        {
            string? first = null;
            foreach (var item in a.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("template", out var t) || t.ValueKind != JsonValueKind.String) continue;
                first ??= t.GetString();
                if (item.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && n.GetString() == "default") return t.GetString();
            }
            return first;
        }
        return null;
    }
}
