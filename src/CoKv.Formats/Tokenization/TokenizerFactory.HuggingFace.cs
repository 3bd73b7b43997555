using System.Text.Json;
using CoKv.HuggingFace;
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
        var configPath = Path.Combine(dir, "tokenizer_config.json");
        using var config = ReadJson(configPath);
        using var generation = ReadJson(Path.Combine(dir, "generation_config.json"));
        var jsonPath = Path.Combine(dir, "tokenizer.json");
        var modelPath = Path.Combine(dir, "tokenizer.model");

        using var json = ReadJson(jsonPath);
        if (json != null && IsByteLevel(json.RootElement))
            return ByteLevelFromJson(jsonPath, json.RootElement, config?.RootElement, configPath, generation?.RootElement);
        if (File.Exists(modelPath))
            return SentencePieceFromModel(modelPath, json?.RootElement, config?.RootElement, configPath, generation?.RootElement);
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
        if (config is null || JsonValues.Get(config.RootElement, "chat_template") is not { } t) return null;
        if (t.ValueKind == JsonValueKind.String) return t.GetString();
        // A list of named templates: take "default".
        if (t.ValueKind == JsonValueKind.Array)
            foreach (var item in t.EnumerateArray())
                if (JsonValues.Get(item, "name") is { ValueKind: JsonValueKind.String } n && n.GetString() == "default"
                    && JsonValues.Get(item, "template") is { ValueKind: JsonValueKind.String } body)
                    return body.GetString();
        return null;
    }

    static VocabTokenizer ByteLevelFromJson(string path, JsonElement root, JsonElement? config, string configPath, JsonElement? generation)
    {
        var model = JsonValues.Required(root, "model", JsonValueKind.Object, path, "model");
        var vocabObject = JsonValues.Required(model, "vocab", JsonValueKind.Object, path, "model.vocab");
        var vocab = new Dictionary<int, string>();
        foreach (var entry in vocabObject.EnumerateObject())
        {
            int id = JsonValues.Int(entry.Value, path, $"model.vocab[{MessageText.Quote(entry.Name)}]", 0);
            if (!vocab.TryAdd(id, entry.Name))
                throw new ModelFormatException($"{path}: model.vocab gives id {id} to both {MessageText.Quote(vocab[id])} and {MessageText.Quote(entry.Name)}.");
        }

        var merges = new List<string>();
        if (JsonValues.Get(model, "merges") is { } mergeArray)
        {
            int i = 0;
            foreach (var m in JsonValues.Kind(mergeArray, JsonValueKind.Array, path, "model.merges").EnumerateArray())
            {
                var field = $"model.merges[{i++}]";
                if (m.ValueKind == JsonValueKind.Array)
                {
                    if (m.GetArrayLength() != 2) throw JsonValues.WrongKind(m, "a pair of strings", path, field);
                    merges.Add(JsonValues.String(m[0], path, field + "[0]") + " " + JsonValues.String(m[1], path, field + "[1]"));
                }
                else merges.Add(JsonValues.String(m, path, field));
            }
        }

        var added = ReadAddedTokens(path, root);
        int maxId = Math.Max(vocab.Count == 0 ? -1 : vocab.Keys.Max(), added.Count == 0 ? -1 : added.Keys.Max());
        CheckIdRange(path, maxId, vocab.Count + added.Count);
        var size = maxId + 1;
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
        if (JsonValues.Get(model, "ignore_merges") is { ValueKind: JsonValueKind.True or JsonValueKind.False } ignore)
            settings = settings with { IgnoreMerges = ignore.GetBoolean() };

        int? Find(string? text) => text == null ? null : Array.IndexOf(tokens, text) is var i and >= 0 ? i : null;
        var bos = Find(SpecialText(config, "bos_token", configPath));
        var eos = Find(SpecialText(config, "eos_token", configPath));
        var addBos = ConfigBool(config, "add_bos_token") ?? (PostProcessorAddsToken(root, bos, tokens) ? true : settings.ForcesAddBos) ?? false;
        var specials = new TokenizerSpecials
        {
            Bos = bos, Eos = eos, Unk = Find(SpecialText(config, "unk_token", configPath)), Pad = Find(SpecialText(config, "pad_token", configPath)),
            AddBos = addBos, AddEos = ConfigBool(config, "add_eos_token") ?? false,
            ExtraStopIds = GenerationEosIds(generation),
        };
        return Build(path, () => new ByteLevelBpeTokenizer(tokens, merges, types, specials, settings));
    }

    /// <summary>added_tokens: id → (content, special), each entry checked.</summary>
    static Dictionary<int, (string Text, bool Special)> ReadAddedTokens(string path, JsonElement root)
    {
        var added = new Dictionary<int, (string Text, bool Special)>();
        if (JsonValues.Get(root, "added_tokens") is not { } addedArray) return added;
        int i = 0;
        foreach (var a in JsonValues.Kind(addedArray, JsonValueKind.Array, path, "added_tokens").EnumerateArray())
        {
            var field = $"added_tokens[{i++}]";
            JsonValues.Kind(a, JsonValueKind.Object, path, field);
            int id = JsonValues.Int(JsonValues.Required(a, "id", JsonValueKind.Number, path, field + ".id"), path, field + ".id", 0);
            var text = JsonValues.String(JsonValues.Required(a, "content", JsonValueKind.String, path, field + ".content"), path, field + ".content");
            bool special = JsonValues.Get(a, "special") is { } s && JsonValues.Bool(s, path, field + ".special");
            added[id] = (text, special);
        }
        return added;
    }

    /// <summary>
    /// Token ids index the vocabulary array, so the largest id sizes it: ids may leave holes (padding), but at most
    /// as many as there are tokens plus <see cref="MaxIdHoles"/>, so that an id of 10^9 cannot allocate gigabytes.
    /// </summary>
    static void CheckIdRange(string path, long maxId, int tokenCount)
    {
        long limit = 2L * tokenCount + MaxIdHoles;
        if (maxId >= limit)
            throw new ModelFormatException($"{path}: token id {maxId:N0} is out of range: the file defines {tokenCount:N0} tokens, so ids must be below {limit:N0}.");
    }

    const int MaxIdHoles = 1024;

    /// <summary>Builds a tokenizer, reporting a vocabulary it refuses (a malformed byte token, ...) as the file's fault.</summary>
    static T Build<T>(string path, Func<T> build)
    {
        try { return build(); }
        catch (ArgumentException e)
        {
            var message = e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
            throw new ModelFormatException($"{path}: {message}", e);
        }
    }

    static SentencePieceTokenizer SentencePieceFromModel(string path, JsonElement? json, JsonElement? config, string configPath, JsonElement? generation)
    {
        var sp = SentencePieceModelReader.Read(path);
        var tokens = sp.Pieces;
        var types = sp.Types;
        // Tokens added on top of the .model (tokenizer.json added_tokens) extend or retype the vocabulary.
        var jsonPath = Path.Combine(Path.GetDirectoryName(path)!, "tokenizer.json");
        var added = json is { } root ? ReadAddedTokens(jsonPath, root) : [];
        if (added.Count > 0) CheckIdRange(jsonPath, added.Keys.Max(), tokens.Count + added.Count);
        foreach (var (id, (text, special)) in added.OrderBy(a => a.Key))
        {
            var type = special ? TokenType.Control : TokenType.UserDefined;
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
            Bos = Find(SpecialText(config, "bos_token", configPath)) ?? Valid(sp.BosId),
            Eos = Find(SpecialText(config, "eos_token", configPath)) ?? Valid(sp.EosId),
            Unk = Valid(sp.UnkId),
            Pad = Valid(sp.PadId),
            AddBos = ConfigBool(config, "add_bos_token") ?? true,
            AddEos = ConfigBool(config, "add_eos_token") ?? false,
            ExtraStopIds = GenerationEosIds(generation),
        };
        return Build(path, () => new SentencePieceTokenizer(tokens, sp.Scores, types, specials, addSpacePrefix: sp.AddDummyPrefix));
    }

    static bool IsByteLevel(JsonElement root)
    {
        if (JsonValues.Get(root, "model") is not { ValueKind: JsonValueKind.Object } model) return false;
        if (JsonValues.Get(model, "type") is { } type && !(type.ValueKind == JsonValueKind.String && type.GetString() == "BPE")) return false;
        var text = JsonValues.Get(root, "pre_tokenizer")?.GetRawText() ?? "";
        text += JsonValues.Get(root, "decoder")?.GetRawText() ?? "";
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

    /// <summary>A special token of tokenizer_config.json: a string, or an AddedToken object whose "content" is one.</summary>
    static string? SpecialText(JsonElement? config, string key, string path)
    {
        if (config is not { } cfg || JsonValues.Get(cfg, key) is not { } v) return null;
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Object => JsonValues.String(JsonValues.Required(v, "content", JsonValueKind.String, path, key + ".content"), path, key + ".content"),
            _ => throw JsonValues.WrongKind(v, "a string or an object with a \"content\" string", path, key),
        };
    }

    static bool? ConfigBool(JsonElement? config, string key) =>
        config is { } c && JsonValues.Get(c, key) is { ValueKind: JsonValueKind.True or JsonValueKind.False } v ? v.GetBoolean() : null;

    // Ids that are not int32 are not token ids: left out, as generation_config.json's other fields are.
    static int[] GenerationEosIds(JsonElement? generation)
    {
        if (generation is not { } g || JsonValues.Get(g, "eos_token_id") is not { } v) return [];
        return v.ValueKind switch
        {
            JsonValueKind.Number => v.TryGetInt32(out int one) ? [one] : [],
            JsonValueKind.Array => v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out _)).Select(x => x.GetInt32()).ToArray(),
            _ => [],
        };
    }

    static JsonDocument? ReadJson(string path) => File.Exists(path) ? JsonValues.Load(path, Path.GetFileName(path)) : null;
}
