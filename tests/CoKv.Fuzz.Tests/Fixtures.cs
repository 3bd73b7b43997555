using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoKv.HuggingFace;
using CoKv.Models;
using CoKv.Profiles;
using CoKv.SafeTensors;
using CoKv.Tests;
using CoKv.Tokenization;
using Google.Protobuf;

namespace CoKv.Fuzz.Tests;

/// <summary>
/// The real files the fuzzer starts from: the repository's default model, the small files of ../shared/models, and
/// files written here with the library's own writers (a tiny Hugging Face folder with a byte-level BPE tokenizer, one
/// with a SentencePiece tokenizer.model, a budget profile). Each loads cleanly before it is mutated.
/// </summary>
static class Fixtures
{
    /// <summary>Files of ../shared/models above this are left out: each case rewrites the file.</summary>
    public const long MaxSharedFileBytes = 8 << 20;

    public static string DefaultModel
    {
        get
        {
            var path = Path.Combine(TestPaths.RepoRoot, "models", "cokv-default", "cokv-default.gguf");
            if (!File.Exists(path)) throw new FileNotFoundException($"Test fixture missing: {path} (the repository's default model).", path);
            return path;
        }
    }

    public static string Shared(string name)
    {
        var path = TestPaths.SharedModel(name);
        var length = new FileInfo(path).Length;
        if (length > MaxSharedFileBytes) throw new InvalidOperationException($"{path} is {length:N0} bytes; the fuzzer only takes files up to {MaxSharedFileBytes:N0}.");
        return path;
    }

    /// <summary>A Hugging Face folder: llama config, F32 safetensors (with rope_freqs), byte-level BPE tokenizer.json, tokenizer_config.json, generation_config.json.</summary>
    public static string WriteBpeFolder(string dir)
    {
        Directory.CreateDirectory(dir);
        var vocab = new JsonObject();
        var byteChars = ByteChars();
        for (int b = 0; b < 256; b++) vocab[byteChars[b].ToString()] = b;
        string[][] merges = [["Ġ", "t"], ["h", "e"], ["Ġt", "he"], ["o", "n"]];
        foreach (var m in merges) vocab[m[0] + m[1]] = vocab.Count;
        int eot = vocab.Count;
        var tokenizer = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(new JsonObject { ["id"] = eot, ["content"] = "<|endoftext|>", ["special"] = true }),
            ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel" },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["vocab"] = vocab, ["ignore_merges"] = false,
                ["merges"] = new JsonArray(merges.Select(m => (JsonNode)new JsonArray(m[0], m[1])).ToArray()),
            },
        };
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), tokenizer.ToJsonString());
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """
            {"bos_token": "<|endoftext|>", "eos_token": {"content": "<|endoftext|>", "special": true}, "add_bos_token": false,
             "chat_template": "{% for m in messages %}{{ m['content'] }}{% endfor %}"}
            """);
        File.WriteAllText(Path.Combine(dir, "generation_config.json"), $$"""{"bos_token_id": {{eot}}, "eos_token_id": [{{eot}}], "do_sample": false}""");
        WriteModel(dir, vocabSize: eot + 1);
        return dir;
    }

    /// <summary>A Hugging Face folder whose tokenizer is a SentencePiece tokenizer.model (the vocabulary of tok512.bin).</summary>
    /// <param name="pieceText">Changes a piece's text (id, text → text), for a corrupt vocabulary.</param>
    public static string WriteSentencePieceFolder(string dir) => WriteSentencePieceFolder(dir, null);

    public static string WriteSentencePieceFolder(string dir, Func<int, string, string>? pieceText)
    {
        Directory.CreateDirectory(dir);
        var source = TokenizerFactory.FromLlama2c(Shared("tok512.bin"));
        using (var file = File.Create(Path.Combine(dir, "tokenizer.model")))
        {
            var output = new CodedOutputStream(file);
            for (int i = 0; i < source.VocabSize; i++)
            {
                var text = source.TokenText(i);
                int type = i == 0 ? 2 : i <= 2 ? 3 : text.StartsWith("<0x", StringComparison.Ordinal) && text.Length == 6 ? 6 : 1;
                var piece = new MemoryStream();
                var p = new CodedOutputStream(piece);
                p.WriteTag(1, WireFormat.WireType.LengthDelimited); p.WriteString(pieceText?.Invoke(i, text) ?? text);
                p.WriteTag(2, WireFormat.WireType.Fixed32); p.WriteFloat(source.Score(i));
                p.WriteTag(3, WireFormat.WireType.Varint); p.WriteEnum(type);
                p.Flush();
                output.WriteTag(1, WireFormat.WireType.LengthDelimited); output.WriteBytes(ByteString.CopyFrom(piece.ToArray()));
            }
            var trainer = new MemoryStream();
            var t = new CodedOutputStream(trainer);
            t.WriteTag(35, WireFormat.WireType.Varint); t.WriteBool(true);
            t.WriteTag(40, WireFormat.WireType.Varint); t.WriteInt32(0);
            t.WriteTag(41, WireFormat.WireType.Varint); t.WriteInt32(1);
            t.WriteTag(42, WireFormat.WireType.Varint); t.WriteInt32(2);
            t.Flush();
            output.WriteTag(2, WireFormat.WireType.LengthDelimited); output.WriteBytes(ByteString.CopyFrom(trainer.ToArray()));
            output.Flush();
        }
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """{"add_bos_token": true, "add_eos_token": false}""");
        WriteModel(dir, source.VocabSize);
        return dir;
    }

    static void WriteModel(string dir, int vocabSize)
    {
        File.WriteAllText(Path.Combine(dir, "config.json"), $$"""
            {"model_type": "llama", "vocab_size": {{vocabSize}}, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 2,
             "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 4, "max_position_embeddings": 64,
             "rope_theta": 10000.0, "rms_norm_eps": 1e-5, "tie_word_embeddings": false}
            """);
        var config = HfConfig.Parse(Path.Combine(dir, "config.json"));
        var random = new Random(7);
        var tensors = new Dictionary<string, (long[] shape, float[] data)>(StringComparer.Ordinal);
        foreach (var (name, shape) in ExpectedWeights.For(config))
        {
            var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
            for (int i = 0; i < data.Length; i++) data[i] = name.Contains("norm") ? 1 : (float)(random.NextDouble() - 0.5) * 0.2f;
            tensors[name] = (shape, data);
        }
        tensors["rope_freqs"] = ([config.HeadDim / 2], Enumerable.Repeat(1f, config.HeadDim / 2).ToArray());
        SafetensorsWriter.Write(Path.Combine(dir, SafetensorsWeightSource.SingleFileName), tensors);
    }

    public static BudgetProfile Profile(int layers = 4, int kvHeads = 2) => new()
    {
        ModelFingerprint = "sha256:" + new string('0', 64),
        ModelDescription = "fuzz fixture",
        TaskType = "single-doc-qa",
        Method = ProfileMethods.Cokv,
        Scores = HeadScores.Create(layers, kvHeads, Enumerable.Range(0, layers * kvHeads).Select(i => Math.Sin(i) * 0.3).ToArray()),
        Parameters = new ProfileParameters { CoalitionSizes = [1, 2, 3], SamplesPerSize = 8, Window = 8, Metric = "qa_f1", Utility = "metric", Seeds = [1, 2] },
        Provenance = new ProfileProvenance { DatasetSha256 = new string('a', 64), SampleCount = 4, ConvergenceMae = 0.01, Datasets = ["synthetic"] },
        CreatedUtc = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc),
    };

    // GPT-2's byte → printable character table.
    static char[] ByteChars()
    {
        var chars = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
            chars[b] = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF ? (char)b : (char)next++;
        return chars;
    }
}
