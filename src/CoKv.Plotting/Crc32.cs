namespace CoKv.Plotting;

/// <summary>
/// CRC-32 as PNG chunks need it (reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF).
/// Written here so the project needs no System.IO.Hashing reference.
/// </summary>
public static class Crc32
{
    static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a CRC over more bytes: Append(Compute(a), b) == Compute(a + b).</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = ~crc;
        foreach (byte b in data)
            c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return ~c;
    }

    static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
