namespace CoKv.Tokenization;

/// <summary>A token's type as GGUF (tokenizer.ggml.token_type) and SentencePiece's model proto number them.</summary>
public enum TokenType
{
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}

/// <summary>
/// llama.cpp's per-token attributes: the type as a flag, plus strip rules. Kept as flags because llama.cpp combines
/// them (an EOG token that was typed normal becomes Normal|Control; a control token named "unused" gains Unused).
/// </summary>
[Flags]
public enum TokenAttributes
{
    Undefined = 0,
    Unknown = 1 << 0,
    Unused = 1 << 1,
    Normal = 1 << 2,
    Control = 1 << 3,
    UserDefined = 1 << 4,
    Byte = 1 << 5,
    Normalized = 1 << 6,
    LStrip = 1 << 7,
    RStrip = 1 << 8,
    SingleWord = 1 << 9,
}

public static class TokenTypes
{
    public static TokenAttributes ToAttributes(this TokenType type) => type switch
    {
        TokenType.Normal => TokenAttributes.Normal,
        TokenType.Unknown => TokenAttributes.Unknown,
        TokenType.Control => TokenAttributes.Control,
        TokenType.UserDefined => TokenAttributes.UserDefined,
        TokenType.Unused => TokenAttributes.Unused,
        TokenType.Byte => TokenAttributes.Byte,
        _ => TokenAttributes.Undefined,
    };

    /// <summary>Types from GGUF's int32 array; values outside the enum become <see cref="TokenType.Undefined"/>, as in llama.cpp.</summary>
    public static TokenType[] FromInts(IReadOnlyList<int> values)
    {
        var types = new TokenType[values.Count];
        for (var i = 0; i < types.Length; i++)
            types[i] = values[i] is >= 0 and <= 6 ? (TokenType)values[i] : TokenType.Undefined;
        return types;
    }
}
