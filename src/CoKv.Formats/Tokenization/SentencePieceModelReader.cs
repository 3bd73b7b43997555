using CoKv.Models;
using Google.Protobuf;

namespace CoKv.Tokenization;

/// <summary>The parts of a SentencePiece ModelProto (tokenizer.model) that llama.cpp's SPM tokenizer uses.</summary>
internal sealed record SentencePieceModel(
    List<string> Pieces, List<float> Scores, List<TokenType> Types,
    int UnkId, int BosId, int EosId, int PadId, bool AddDummyPrefix, bool ByteFallback);

/// <summary>
/// Reads tokenizer.model with the protobuf wire reader, field by field: the generated sentencepiece_model.proto
/// classes are not available and only a few fields are needed.
/// </summary>
internal static class SentencePieceModelReader
{
    // sentencepiece_model.proto field numbers.
    const int ModelPieces = 1, ModelTrainerSpec = 2, ModelNormalizerSpec = 3;
    const int PiecePiece = 1, PieceScore = 2, PieceType = 3;
    const int TrainerByteFallback = 35, TrainerUnkId = 40, TrainerBosId = 41, TrainerEosId = 42, TrainerPadId = 43;
    const int NormalizerAddDummyPrefix = 3;

    /// <summary>Largest tokenizer.model read (real ones are under 5 MB).</summary>
    const long MaxFileBytes = 64L << 20;

    public static SentencePieceModel Read(string path)
    {
        var model = new SentencePieceModel([], [], [], 0, 1, 2, -1, true, false);
        byte[] bytes;
        try
        {
            long length = new FileInfo(path).Length;
            if (length > MaxFileBytes)
                throw new ModelFormatException($"{path}: {length:N0} bytes, more than the {MaxFileBytes:N0} a SentencePiece model may have.");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{path}: cannot read the SentencePiece model ({e.Message}).", e);
        }
        try
        {
            // Over a byte array every length the file claims is checked against the bytes there are before it is read.
            var input = new CodedInputStream(bytes);
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case ModelPieces: ReadPiece(input.ReadBytes(), model); break;
                    case ModelTrainerSpec: model = ReadTrainerSpec(input.ReadBytes(), model); break;
                    case ModelNormalizerSpec: model = ReadNormalizerSpec(input.ReadBytes(), model); break;
                    default: input.SkipLastField(); break;
                }
            }
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelFormatException($"{path}: not a SentencePiece model ({e.Message}).", e);
        }
        if (model.Pieces.Count == 0) throw new ModelFormatException($"{path}: a SentencePiece model without pieces.");
        return model;
    }

    static void ReadPiece(ByteString bytes, SentencePieceModel model)
    {
        var input = bytes.CreateCodedInput();
        string piece = "";
        float score = 0;
        var type = TokenType.Normal; // the proto's default
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case PiecePiece: piece = input.ReadString(); break;
                case PieceScore: score = input.ReadFloat(); break;
                case PieceType: type = (TokenType)input.ReadEnum(); break;
                default: input.SkipLastField(); break;
            }
        }
        model.Pieces.Add(piece);
        model.Scores.Add(score);
        model.Types.Add(type is >= TokenType.Normal and <= TokenType.Byte ? type : TokenType.Undefined);
    }

    static SentencePieceModel ReadTrainerSpec(ByteString bytes, SentencePieceModel model)
    {
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            model = WireFormat.GetTagFieldNumber(tag) switch
            {
                TrainerUnkId => model with { UnkId = input.ReadInt32() },
                TrainerBosId => model with { BosId = input.ReadInt32() },
                TrainerEosId => model with { EosId = input.ReadInt32() },
                TrainerPadId => model with { PadId = input.ReadInt32() },
                TrainerByteFallback => model with { ByteFallback = input.ReadBool() },
                _ => Skip(input, model),
            };
        }
        return model;
    }

    static SentencePieceModel ReadNormalizerSpec(ByteString bytes, SentencePieceModel model)
    {
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
            model = WireFormat.GetTagFieldNumber(tag) == NormalizerAddDummyPrefix
                ? model with { AddDummyPrefix = input.ReadBool() }
                : Skip(input, model);
        return model;
    }

    static SentencePieceModel Skip(CodedInputStream input, SentencePieceModel model)
    {
        input.SkipLastField();
        return model;
    }
}
