namespace CoKv.Tokenization;

/// <summary>
/// GPT-2's reversible byte ↔ character map: printable Latin-1 bytes stand for themselves, the other 68 bytes
/// (controls, space, 0x7F–0xA0, 0xAD) are shifted to U+0100 upward in byte order, so every byte string is
/// a string of visible characters (space becomes "Ġ", newline "Ċ").
/// </summary>
public static class ByteLevelEncoding
{
    static readonly char[] ByteToChar = BuildByteToChar();
    static readonly Dictionary<char, byte> CharToByte = BuildCharToByte();

    public static char Encode(byte b) => ByteToChar[b];

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        return string.Create(bytes.Length, bytes.ToArray(), static (span, arr) =>
        {
            for (var i = 0; i < arr.Length; i++) span[i] = ByteToChar[arr[i]];
        });
    }

    public static bool TryDecode(char c, out byte b) => CharToByte.TryGetValue(c, out b);

    static bool StandsForItself(int b) => b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;

    static char[] BuildByteToChar()
    {
        var map = new char[256];
        var next = 0x100;
        for (var b = 0; b < 256; b++)
            map[b] = StandsForItself(b) ? (char)b : (char)next++;
        return map;
    }

    static Dictionary<char, byte> BuildCharToByte()
    {
        var map = new Dictionary<char, byte>(256);
        for (var b = 0; b < 256; b++) map[ByteToChar[b]] = (byte)b;
        return map;
    }
}
