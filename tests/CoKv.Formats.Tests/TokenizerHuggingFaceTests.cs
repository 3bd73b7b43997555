using System.Text.Json;
using CoKv.Gguf;
using CoKv.Tokenization;

namespace CoKv.Tests;

/// <summary>The Hugging Face folder path, fed a tokenizer.json built from a GGUF vocab, against the GGUF path.</summary>
public class TokenizerHuggingFaceTests
{
    const string Llama3Regex =
        "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    const string Qwen2Regex =
        "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    [Theory]
    [InlineData("llama-bpe", Llama3Regex)]
    [InlineData("qwen2", Qwen2Regex)]
    public void TokenizerJsonGivesTheGgufIds(string name, string regex)
    {
        var dir = WriteFolder(name, regex);
        var fromGguf = TokenizerVectorTests.LoadVocab(name);
        var fromJson = TokenizerFactory.FromHuggingFaceFolder(dir);

        Assert.Equal(fromGguf.VocabSize, fromJson.VocabSize);
        Assert.Equal(fromGguf.BosId, fromJson.BosId);
        Assert.Equal(fromGguf.EosId, fromJson.EosId);
        Assert.Equal(fromGguf.AddBos, fromJson.AddBos);
        Assert.True(fromGguf.StopIds.SetEquals(fromJson.StopIds));
        foreach (var (text, expected) in TokenizerVectorTests.ReadVectors(name))
        {
            Assert.Equal(expected, fromJson.Encode(text, addBos: false, parseSpecial: false));
            Assert.Equal(fromGguf.Encode(text), fromJson.Encode(text));
            Assert.Equal(fromGguf.Decode(expected), fromJson.Decode(expected));
        }
    }

    [Fact]
    public void Llama3FolderAddsBosAndSplitsSpecialTokens()
    {
        var tok = TokenizerFactory.FromHuggingFaceFolder(WriteFolder("llama-bpe", Llama3Regex));
        var ids = tok.Encode("<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>");
        Assert.Equal(tok.BosId, ids[0]);
        Assert.Equal(tok.FindToken("<|start_header_id|>"), ids[1]);
        Assert.Equal(tok.FindToken("<|eot_id|>"), ids[^1]);
        Assert.Contains(tok.FindToken("<|eot_id|>")!.Value, tok.StopIds);
        Assert.Equal("user\n\nHi", tok.Decode(ids));
    }

    static string WriteFolder(string name, string regex)
    {
        using var gguf = GgufFile.Open(TestPaths.VocabFile($"ggml-vocab-{name}.gguf"));
        var tokens = gguf.GetStringArray("tokenizer.ggml.tokens")!;
        var types = gguf.GetIntArray("tokenizer.ggml.token_type")!;
        var merges = gguf.GetStringArray("tokenizer.ggml.merges")!;
        var reference = TokenizerVectorTests.LoadVocab(name);

        var vocab = new Dictionary<string, int>();
        var added = new List<object>();
        for (var i = 0; i < tokens.Count; i++)
        {
            if (types[i] is 3 or 4) added.Add(new { id = i, content = tokens[i], special = types[i] == 3 });
            else vocab.TryAdd(tokens[i], i);
        }
        var tokenizerJson = new
        {
            version = "1.0",
            added_tokens = added,
            pre_tokenizer = new
            {
                type = "Sequence",
                pretokenizers = new object[]
                {
                    new { type = "Split", pattern = new { Regex = regex }, behavior = "Isolated", invert = false },
                    new { type = "ByteLevel", add_prefix_space = false, trim_offsets = true, use_regex = false },
                },
            },
            decoder = new { type = "ByteLevel", add_prefix_space = true, trim_offsets = true, use_regex = true },
            model = new { type = "BPE", ignore_merges = name == "llama-bpe", vocab, merges },
        };
        var config = new Dictionary<string, object?>
        {
            ["bos_token"] = reference.BosId is { } b ? tokens[b] : null,
            ["eos_token"] = reference.EosId is { } e ? tokens[e] : null,
            ["add_bos_token"] = reference.AddBos,
        };
        var dir = TestPaths.TempDir("hf-" + name);
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), JsonSerializer.Serialize(tokenizerJson));
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), JsonSerializer.Serialize(config));
        return dir;
    }
}
