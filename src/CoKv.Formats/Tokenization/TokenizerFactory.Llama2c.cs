using System.Buffers.Binary;
using System.Text;
using CoKv.Models;

namespace CoKv.Tokenization;

public static partial class TokenizerFactory
{
    /// <summary>
    /// llama2.c's tokenizer.bin (int32 max_token_length, then per token: f32 score, int32 length, bytes), as the
    /// SentencePiece vocabulary it was exported from: pieces hold real spaces (turned back into "▁"), ids 0/1/2 are
    /// UNK/BOS/EOS (exported as "&lt;unk&gt;", "\n&lt;s&gt;\n", "\n&lt;/s&gt;\n", renamed to their SentencePiece texts),
    /// "&lt;0xXX&gt;" pieces are byte tokens. The file does not store the vocab size: every token to the end is read.
    /// </summary>
    public static SentencePieceTokenizer FromLlama2c(string path)
    {
        var data = File.ReadAllBytes(path);
        if (data.Length < 4) throw new ModelFormatException($"{path}: too short for a llama2.c tokenizer.");
        var maxLength = BinaryPrimitives.ReadInt32LittleEndian(data);
        if (maxLength <= 0 || maxLength > 1 << 16) throw new ModelFormatException($"{path}: max_token_length {maxLength} is implausible: not a llama2.c tokenizer.");

        var tokens = new List<string>();
        var scores = new List<float>();
        var offset = 4;
        while (offset < data.Length)
        {
            if (offset + 8 > data.Length) throw new ModelFormatException($"{path}: truncated at token {tokens.Count}.");
            var score = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(offset));
            var length = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(offset + 4));
            offset += 8;
            if (length < 0 || length > maxLength || offset + length > data.Length)
                throw new ModelFormatException($"{path}: token {tokens.Count} has length {length} (max {maxLength}, {data.Length - offset} bytes left).");
            tokens.Add(Encoding.UTF8.GetString(data, offset, length).Replace(' ', '\u2581'));
            scores.Add(score);
            offset += length;
        }
        if (tokens.Count < 3) throw new ModelFormatException($"{path}: only {tokens.Count} tokens.");

        tokens[0] = "<unk>";
        tokens[1] = "<s>";
        tokens[2] = "</s>";
        var types = new TokenType[tokens.Count];
        for (var i = 0; i < types.Length; i++)
            types[i] = i == 0 ? TokenType.Unknown
                : i <= 2 ? TokenType.Control
                : IsByteTokenText(tokens[i]) ? TokenType.Byte
                : TokenType.Normal;

        var specials = new TokenizerSpecials { Unk = 0, Bos = 1, Eos = 2, AddBos = true };
        return Build(path, () => new SentencePieceTokenizer(tokens, scores, types, specials, addSpacePrefix: true));
    }

    static bool IsByteTokenText(string t) =>
        t.Length == 6 && t.StartsWith("<0x", StringComparison.Ordinal) && t[5] == '>' && Uri.IsHexDigit(t[3]) && Uri.IsHexDigit(t[4]);
}
