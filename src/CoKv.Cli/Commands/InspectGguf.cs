using System.Globalization;
using CoKv.Gguf;
using CoKv.Models;

namespace CoKv.Cli.Commands;

/// <summary>
/// What <c>cokv inspect</c> shows of a GGUF file from its header alone: the tensor type mix and the bytes the weights
/// take, for any type (readable or not), so that a file can be judged before it is loaded.
/// </summary>
public static class InspectGguf
{
    public static bool IsGguf(string path) =>
        File.Exists(path) && string.Equals(Path.GetExtension(path), ".gguf", StringComparison.OrdinalIgnoreCase);

    /// <summary>Prints the header rows and the type table; returns whether every tensor type can be read.</summary>
    public static bool PrintHeader(string path)
    {
        using var file = GgufFile.Open(path);
        var mix = file.TypeMix();
        long fileBytes = new FileInfo(path).Length;
        long values = file.Tensors.Sum(t => t.ElementCount);
        var unreadable = mix.Where(c => !c.Readable).ToList();
        Console.WriteLine(Row("path", path));
        Console.WriteLine(Row("file", $"GGUF v{file.Version}, {MiB(fileBytes)} MiB, {file.Tensors.Count} tensors, {file.Metadata.Count} metadata keys"));
        Console.WriteLine(Row("weights in file", Invariant($"{MiB(file.TensorBytes)} MiB for {values:N0} values ({(values > 0 ? 8.0 * file.TensorBytes / values : 0):0.00} bits per value)")));
        if (file.GetString("general.name") is { } name) Console.WriteLine(Row("name", name));
        if (file.GetInteger("general.file_type") is { } ft) Console.WriteLine(Row("file type", $"{FileTypeName(ft)} (general.file_type {ft})"));
        Console.WriteLine(Row("tensor types", ""));
        Console.WriteLine($"  {"type",-8} {"tensors",8} {"MiB",10} {"bits/value",11}  readable");
        foreach (var c in mix)
            Console.WriteLine(Invariant($"  {GgmlTypes.Name(c.Type),-8} {c.Tensors,8} {(c.Bytes is { } b ? MiB(b) : "?"),10} {(c.BitsPerValue is { } bits ? bits.ToString("0.00", CultureInfo.InvariantCulture) : "?"),11}  {(c.Readable ? "yes" : "no")}"));
        if (unreadable.Count > 0)
        {
            Console.WriteLine(Row("loads", "no: " + string.Join(", ", unreadable.Select(c => $"{GgmlTypes.Name(c.Type)} ({c.Tensors} tensors)")) + " cannot be read; readable: " + GgmlTypes.SupportedList));
            PrintConfigIfAny(file);
        }
        return unreadable.Count == 0;
    }

    // The architecture and shape still help when the weights cannot be read.
    static void PrintConfigIfAny(GgufFile file)
    {
        ModelConfig c;
        try { c = GgufConfig.ToModelConfig(file); }
        catch (ModelFormatException e)
        {
            Console.WriteLine(Row("architecture", $"{file.Architecture} ({e.Message})"));
            return;
        }
        Console.WriteLine(Row("architecture", c.Architecture));
        Console.WriteLine(Row("shape", $"{c.LayerCount} layers, hidden {c.HiddenSize}, FFN {c.IntermediateSize}, {c.HeadCount} query / {c.KvHeadCount} KV heads of {c.HeadDim}, vocabulary {c.VocabSize}, context {c.MaxContext}"));
    }

    // llama.h's llama_ftype names for the values files carry.
    static string FileTypeName(long ft) => ft switch
    {
        0 => "ALL_F32", 1 => "MOSTLY_F16", 2 => "MOSTLY_Q4_0", 3 => "MOSTLY_Q4_1", 7 => "MOSTLY_Q8_0", 8 => "MOSTLY_Q5_0",
        9 => "MOSTLY_Q5_1", 10 => "MOSTLY_Q2_K", 11 => "MOSTLY_Q3_K_S", 12 => "MOSTLY_Q3_K_M", 13 => "MOSTLY_Q3_K_L",
        14 => "MOSTLY_Q4_K_S", 15 => "MOSTLY_Q4_K_M", 16 => "MOSTLY_Q5_K_S", 17 => "MOSTLY_Q5_K_M", 18 => "MOSTLY_Q6_K",
        19 => "MOSTLY_IQ2_XXS", 20 => "MOSTLY_IQ2_XS", 21 => "MOSTLY_Q2_K_S", 22 => "MOSTLY_IQ3_XS", 23 => "MOSTLY_IQ3_XXS",
        24 => "MOSTLY_IQ1_S", 25 => "MOSTLY_IQ4_NL", 26 => "MOSTLY_IQ3_S", 27 => "MOSTLY_IQ3_M", 28 => "MOSTLY_IQ2_S",
        29 => "MOSTLY_IQ2_M", 30 => "MOSTLY_IQ4_XS", 31 => "MOSTLY_IQ1_M", 32 => "MOSTLY_BF16", 36 => "MOSTLY_TQ1_0",
        37 => "MOSTLY_TQ2_0", 38 => "MOSTLY_MXFP4_MOE",
        _ => "unknown",
    };

    public const int Width = 16;

    public static string Row(string name, string value) => $"{name.PadRight(Width)}  {value}";

    static string MiB(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);

    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
