using System.Text;
using CoKv.Chat;
using CoKv.Gguf;
using CoKv.Models;
using CoKv.SafeTensors;
using Google.Protobuf;

namespace CoKv.Tests;

/// <summary>
/// A Hugging Face folder whose tokenizer is a SentencePiece tokenizer.model (Llama 2, TinyLlama, Mistral v0.1): the
/// test writes the ModelProto itself from llama.cpp's llama-spm vocabulary (Llama 2's 32,000 pieces), beside a
/// config.json, TinyLlama's tokenizer_config.json and random weights, and opens it with the real loader.
/// </summary>
public class SentencePieceFolderTests
{
    /// <summary>TinyLlama-1.1B-Chat-v1.0's chat_template, as its tokenizer_config.json holds it.</summary>
    internal const string TinyLlamaTemplate =
        "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n" +
        "{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n" +
        "{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n" +
        "{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}";

    [Fact]
    public void Folder_with_tokenizer_model_gives_llama_cpp_ids_and_the_zephyr_template()
    {
        var reference = TokenizerVectorTests.LoadVocab("llama-spm");
        var config = Formats.Tests.GgufTestModels.Config(tied: true) with { VocabSize = reference.VocabSize };
        var dir = TestPaths.TempDir("hf-spm");
        WriteTokenizerModel(Path.Combine(dir, "tokenizer.model"));
        File.WriteAllText(Path.Combine(dir, "config.json"), $$"""
            { "model_type": "llama", "vocab_size": {{config.VocabSize}}, "hidden_size": {{config.HiddenSize}},
              "intermediate_size": {{config.IntermediateSize}}, "num_hidden_layers": {{config.LayerCount}},
              "num_attention_heads": {{config.HeadCount}}, "num_key_value_heads": {{config.KvHeadCount}},
              "max_position_embeddings": {{config.MaxContext}}, "rope_theta": {{config.RopeTheta}}, "rms_norm_eps": 1e-06,
              "tie_word_embeddings": true, "bos_token_id": 1, "eos_token_id": 2 }
            """);
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["add_bos_token"] = true, ["add_eos_token"] = false, ["bos_token"] = "<s>", ["eos_token"] = "</s>", ["unk_token"] = "<unk>",
            ["chat_template"] = TinyLlamaTemplate,
        }));
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), Formats.Tests.GgufTestModels.RandomTensors(config));

        using var bundle = ModelFiles.Open(dir);
        var tok = bundle.Tokenizer;
        Assert.Equal("hf", bundle.Format);
        Assert.Equal(config, bundle.Config);
        Assert.Equal((reference.VocabSize, 1, 2), (tok.VocabSize, tok.BosId, tok.EosId));
        var failures = new List<string>();
        foreach (var (text, expected) in TokenizerVectorTests.ReadVectors("llama-spm"))
        {
            var ids = tok.Encode(text, addBos: false, parseSpecial: false);
            if (!ids.SequenceEqual(expected)) failures.Add($"'{text}': expected [{string.Join(' ', expected)}] got [{string.Join(' ', ids)}]");
            else Assert.Equal(reference.Decode(expected), tok.Decode(ids));
        }
        Assert.True(failures.Count == 0, $"{failures.Count} vectors differ:\n" + string.Join("\n", failures.Take(10)));
        Assert.Equal([1, .. reference.Encode("Hello world", addBos: false)], tok.Encode("Hello world"));

        // TinyLlama's template is Zephyr's, not the Plain fallback; its EOS text is the control token </s>.
        Assert.Equal(ChatTemplateFamily.Zephyr, ChatTemplates.Detect(bundle.ChatTemplate));
        var prompt = ChatTemplates.Render(ChatTemplateFamily.Zephyr, [ChatTurn.System("Be brief."), ChatTurn.User("Hi")], true, null, tok.TokenText(2));
        var promptIds = tok.Encode(prompt, addBos: true, parseSpecial: true);
        Assert.Equal(1, promptIds[0]);
        Assert.Equal(2, promptIds.Count(id => id == 2));
        // llama.cpp's SentencePiece rule: every text fragment after a special token (BOS included) gets the space prefix.
        Assert.Equal("<s>" + string.Join("</s>", prompt.Split("</s>").Select(f => " " + f)), tok.Decode(promptIds, renderSpecial: true));
    }

    /// <summary>sentencepiece_model.proto: pieces (1: piece, 2: score, 3: type), trainer_spec (byte_fallback 35, unk/bos/eos/pad
    /// ids 40-43), normalizer_spec (add_dummy_prefix 3, remove_extra_whitespaces 4), as Llama 2's tokenizer.model sets them.</summary>
    static void WriteTokenizerModel(string path)
    {
        using var gguf = GgufFile.Open(TestPaths.LlamaCppFile("vocab/ggml-vocab-llama-spm.gguf"));
        var tokens = gguf.GetStringArray("tokenizer.ggml.tokens")!;
        var scores = gguf.GetFloatArray("tokenizer.ggml.scores")!;
        var types = gguf.GetIntArray("tokenizer.ggml.token_type")!; // llama.cpp numbers token types as the proto does

        using var file = File.Create(path);
        var output = new CodedOutputStream(file);
        for (var i = 0; i < tokens.Count; i++)
            Field(output, 1, Message(o =>
            {
                o.WriteTag(1, WireFormat.WireType.LengthDelimited);
                o.WriteString(tokens[i]);
                o.WriteTag(2, WireFormat.WireType.Fixed32);
                o.WriteFloat(scores[i]);
                o.WriteTag(3, WireFormat.WireType.Varint);
                o.WriteEnum(types[i]);
            }));
        Field(output, 2, Message(o =>
        {
            o.WriteTag(3, WireFormat.WireType.Varint); // model_type: BPE
            o.WriteEnum(2);
            o.WriteTag(35, WireFormat.WireType.Varint);
            o.WriteBool(true);
            foreach (var (field, value) in new[] { (40, 0), (41, 1), (42, 2), (43, -1) })
            {
                o.WriteTag(field, WireFormat.WireType.Varint);
                o.WriteInt32(value);
            }
        }));
        Field(output, 3, Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString("identity");
            o.WriteTag(3, WireFormat.WireType.Varint);
            o.WriteBool(true);
            o.WriteTag(4, WireFormat.WireType.Varint);
            o.WriteBool(false);
        }));
        output.Flush();
    }

    static void Field(CodedOutputStream output, int number, byte[] message)
    {
        output.WriteTag(number, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(message));
    }

    static byte[] Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        write(output);
        output.Flush();
        return buffer.ToArray();
    }
}
