using System.Runtime.InteropServices;
using CoKv.Chat;
using CoKv.Gguf;
using CoKv.Decoding;

namespace CoKv.Training;

/// <summary>
/// Writes the trained default model as one GGUF that both our loader and llama.cpp read: llama architecture, f32
/// weights, the SentencePiece vocabulary with scores and types, and the Compact chat template.
/// </summary>
public static class DefaultModelExporter
{
    public static void Export(Decoder decoder, TrainingVocabulary vocabulary, string path)
    {
        var tensors = new Dictionary<string, (long[] shape, float[] data)>();
        foreach (var (name, parameter) in decoder.named_parameters())
        {
            using var f32 = parameter.detach().cpu().to(TorchSharp.torch.ScalarType.Float32).contiguous();
            var data = MemoryMarshal.Cast<byte, float>(f32.bytes).ToArray();
            var hfName = name.StartsWith("lm_head.", StringComparison.Ordinal) ? name : "model." + name;
            tensors[hfName] = (parameter.shape, data);
        }
        var tokenizer = new Dictionary<string, object>
        {
            ["tokenizer.ggml.model"] = "llama",
            ["tokenizer.ggml.tokens"] = vocabulary.Pieces.ToArray(),
            ["tokenizer.ggml.scores"] = vocabulary.Scores.ToArray(),
            ["tokenizer.ggml.token_type"] = vocabulary.Types.ToArray(),
            ["tokenizer.ggml.unknown_token_id"] = (uint)TrainingVocabulary.Unknown,
            ["tokenizer.ggml.bos_token_id"] = (uint)TrainingVocabulary.Bos,
            ["tokenizer.ggml.eos_token_id"] = (uint)TrainingVocabulary.Eos,
            // The model ends its answers with <|end|>: end-of-turn, so every reader stops there.
            ["tokenizer.ggml.eot_token_id"] = (uint)TrainingVocabulary.End,
            ["tokenizer.ggml.add_bos_token"] = true,
            ["tokenizer.ggml.add_space_prefix"] = true,
            ["tokenizer.chat_template"] = ChatTemplates.CompactJinja,
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        GgufModelWriter.Write(temporary, decoder.Config, tensors, tokenizer);
        File.Move(temporary, path, overwrite: true);
    }
}
