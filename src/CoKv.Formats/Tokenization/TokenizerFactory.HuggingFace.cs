using System.Text.Json;
using CoKv.Models;

namespace CoKv.Tokenization;

public static partial class TokenizerFactory
{
    /// <summary>
    /// The tokenizer of a Hugging Face model folder: tokenizer.json when it is byte-level BPE (Llama 3, Qwen2, SmolLM),
    /// else tokenizer.model (SentencePiece). Special ids come from tokenizer_config.json, extra stop ids from
    /// generation_config.json.
    /// </summary>
    /// <remarks>
    /// Microsoft.ML.Tokenizers 2.0.1 was the first choice, but it is not used: it has no tokenizer.json loader (its
    /// BpeTokenizer wants vocab/merges files and a PreTokenizer we would rebuild from the JSON anyway), its regex
    /// pre-tokenizer runs on UTF-16 so letters outside the BMP split differently from llama.cpp, and its
    /// LlamaTokenizer follows SentencePiece rather than llama.cpp on the space prefix after special tokens. The
    /// files are parsed here into the same tokenizers the GGUF path builds, so both give llama.cpp's ids.
    /// </remarks>
    public static VocabTokenizer FromHuggingFaceFolder(string dir)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"Model folder not found: {dir}");
        using var config = ReadJson(Path.Combine(dir, "tokenizer_config.json"));
        using var generation = ReadJson(Path.Combine(dir, "generation_config.json"));
        var jsonPath = Path.Combine(dir, "tokenizer.json");
        var modelPath = Path.Combine(dir, "tokenizer.model");

        using var json = ReadJson(jsonPath);
        if (json != null && IsByteLevel(json.RootElement))
            return ByteLevelFromJson(jsonPath, json.RootElement, config?.RootElement, generation?.RootElement);
        if (File.Exists(modelPath))
            return SentencePieceFromModel(modelPath, json?.RootElement, config?.RootElement, generation?.RootElement);
        throw new ModelFormatException(json != null
            ? $"{jsonPath}: not a byte-level BPE tokenizer, and there is no tokenizer.model beside it."
            : $"{dir}: neither tokenizer.json nor tokenizer.model.");
    }

    /// <summary>The chat template of a Hugging Face folder (tokenizer_config.json chat_template, or chat_template.jinja).</summary>
    public static string? ChatTemplateFromHuggingFaceFolder(string dir)
    {
        var jinja = Path.Combine(dir, "chat_template.jinja");
        if (File.Exists(jinja)) return File.ReadAllText(jinja);
        using var config = ReadJson(Path.Combine(dir, "tokenizer_config.json"));
        if (config?.RootElement.TryGetProperty("chat_template", out var t) != true) return null;
        if (t.ValueKind == JsonValueKind.String) return t.GetString();
        // A list of named templates: take "default".
        if (t.ValueKind == JsonValueKind.Array)
            foreach (var item in t.EnumerateArray())
                if (item.TryGetProperty("name", out var n) && n.GetString() == "default" && item.TryGetProperty("template", out var body))
                    return body.GetString();
        return null;
    }

    static VocabTokenizer ByteLevelFromJson(string path, JsonElement root, JsonElement? config, JsonElement? generation)
    {
        var model = root.GetProperty("model");
        var vocab = new Dictionary<int, string>();
        foreach (var entry in model.GetProperty("vocab").EnumerateObject()) vocab[entry.Value.GetInt32()] = entry.Name;

        var merges = new List<string>();
        if (model.TryGetProperty("merges", out var mergeArray))
            foreach (var m in mergeArray.EnumerateArray())
                merges.Add(m.ValueKind == JsonValueKind.Array ? m[0].GetString() + " " + m[1].GetString() : m.GetString() ?? "");

        var added = new Dictionary<int, (string Text, bool Special)>();
        if (root.TryGetProperty("added_tokens", out var addedArray))
            foreach (var a in addedArray.EnumerateArray())
                added[a.GetProperty("id").GetInt32()] = (a.GetProperty("content").GetString() ?? "", a.TryGetProperty("special", out var s) && s.GetBoolean());

        var size = Math.Max(vocab.Count == 0 ? 0 : vocab.Keys.Max() + 1, added.Count == 0 ? 0 : added.Keys.Max() + 1);
        var tokens = new string[size];
        var types = new TokenType[size];
        for (var i = 0; i < size; i++)
        {
            // As convert_hf_to_gguf.py: added tokens are control when special, else user-defined; holes are padding.
            if (added.TryGetValue(i, out var a))
            {
                tokens[i] = a.Text;
                types[i] = a.Special ? TokenType.Control : TokenType.UserDefined;
            }
            else if (vocab.TryGetValue(i, out var t))
            {
                tokens[i] = t;
                types[i] = TokenType.Normal;
            }
            else
            {
                tokens[i] = $"[PAD{i}]";
                types[i] = TokenType.Unused;
            }
        }

        var settings = BpePreTokenizerSettings.FromGgufName(GuessPreName(root));
        if (model.TryGetProperty("ignore_merges", out var ignore) && ignore.ValueKind is JsonValueKind.True or JsonValueKind.False)
            settings = settings with { IgnoreMerges = ignore.GetBoolean() };

        int? Find(string? text) => text == null ? null : Array.IndexOf(tokens, text) is var i and >= 0 ? i : null;
        var bos = Find(SpecialText(config, "bos_token"));
        var eos = Find(SpecialText(config, "eos_token"));
        var addBos = ConfigBool(config, "add_bos_token") ?? (PostProcessorAddsToken(root, bos, tokens) ? true : settings.ForcesAddBos) ?? false;
        var specials = new TokenizerSpecials
        {
            Bos = bos, Eos = eos, Unk = Find(SpecialText(config, "unk_token")), Pad = Find(SpecialText(config, "pad_token")),
            AddBos = addBos, AddEos = ConfigBool(config, "add_eos_token") ?? false,
            ExtraStopIds = GenerationEosIds(generation),
        };
        return new ByteLevelBpeTokenizer(tokens, merges, types, specials, settings);
    }

    static SentencePieceTokenizer SentencePieceFromModel(string path, JsonElement? json, JsonElement? config, JsonElement? generation)
    {
        var sp = SentencePieceModelReader.Read(path);
        var tokens = sp.Pieces;
        var types = sp.Types;
        // Tokens added on top of the .model (tokenizer.json added_tokens) extend or retype the vocabulary.
        if (json?.TryGetProperty("added_tokens", out var addedArray) == true)
            foreach (var a in addedArray.EnumerateArray())
            {
                var id = a.GetProperty("id").GetInt32();
                var text = a.GetProperty("content").GetString() ?? "";
                var type = a.TryGetProperty("special", out var s) && s.GetBoolean() ? TokenType.Control : TokenType.UserDefined;
                while (tokens.Count <= id) { tokens.Add($"[PAD{tokens.Count}]"); sp.Scores.Add(0); types.Add(TokenType.Unused); }
                if (types[id] is TokenType.Normal or TokenType.Unused || tokens[id] != text)
                {
                    tokens[id] = text;
                    types[id] = type;
                }
            }

        int? Find(string? text) => text == null ? null : tokens.IndexOf(text) is var i and >= 0 ? i : null;
        int? Valid(int id) => id >= 0 && id < tokens.Count ? id : null;
        var specials = new TokenizerSpecials
        {
            Bos = Find(SpecialText(config, "bos_token")) ?? Valid(sp.BosId),
            Eos = Find(SpecialText(config, "eos_token")) ?? Valid(sp.EosId),
            Unk = Valid(sp.UnkId),
            Pad = Valid(sp.PadId),
            AddBos = ConfigBool(config, "add_bos_token") ?? true,
            AddEos = ConfigBool(config, "add_eos_token") ?? false,
            ExtraStopIds = GenerationEosIds(generation),
        };
        return new SentencePieceTokenizer(tokens, sp.Scores, types, specials, addSpacePrefix: sp.AddDummyPrefix);
    }

    static bool IsByteLevel(JsonElement root)
    {
        if (!root.TryGetProperty("model", out var model) || model.TryGetProperty("type", out var type) && type.GetString() != "BPE") return false;
        var text = root.TryGetProperty("pre_tokenizer", out var pre) ? pre.GetRawText() : "";
        text += root.TryGetProperty("decoder", out var dec) ? dec.GetRawText() : "";
        return text.Contains("\"ByteLevel\"", StringComparison.Ordinal);
    }

    /// <summary>
    /// The llama.cpp pre-tokenizer name a tokenizer.json corresponds to, from its split regex. (convert_hf_to_gguf.py
    /// decides by hashing a test tokenization instead; the regexes are what those hashes stand for.)
    /// </summary>
    static string GuessPreName(JsonElement root)
    {
        var pre = root.TryGetProperty("pre_tokenizer", out var p) ? p.GetRawText() : "";
        if (pre.Contains("\\\\p{N}{1,3}", StringComparison.Ordinal)) return "llama-bpe";
        if (pre.Contains("\\\\p{N}|", StringComparison.Ordinal) || pre.Contains("\\\\p{N}| ?", StringComparison.Ordinal)) return "qwen2";
        if (pre.Contains("\"Digits\"", StringComparison.Ordinal) && pre.Contains("\"individual_digits\":true", StringComparison.Ordinal)) return "smollm";
        return "gpt-2";
    }

    static bool PostProcessorAddsToken(JsonElement root, int? id, string[] tokens)
    {
        if (id == null || !root.TryGetProperty("post_processor", out var post) || post.ValueKind != JsonValueKind.Object) return false;
        var text = post.GetRawText();
        return text.Contains("\"TemplateProcessing\"", StringComparison.Ordinal)
               && text.Contains(JsonSerializer.Serialize(tokens[id.Value]), StringComparison.Ordinal);
    }

    static string? SpecialText(JsonElement? config, string key)
    {
        if (config?.TryGetProperty(key, out var v) != true) return null;
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Object when v.TryGetProperty("content", out var c) => c.GetString(),
            _ => null,
        };
    }

    static bool? ConfigBool(JsonElement? config, string key) =>
        config?.TryGetProperty(key, out var v) == true && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    static int[] GenerationEosIds(JsonElement? generation)
    {
        if (generation?.TryGetProperty("eos_token_id", out var v) != true) return [];
        return v.ValueKind switch
        {
            JsonValueKind.Number => [v.GetInt32()],
            JsonValueKind.Array => v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Number).Select(x => x.GetInt32()).ToArray(),
            _ => [],
        };
    }

    static JsonDocument? ReadJson(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{path}: invalid JSON ({e.Message}).", e);
        }
    }
}
