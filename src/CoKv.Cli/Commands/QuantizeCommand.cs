using System.CommandLine;
using CoKv.LlamaCpp;
using LLama;
using LLama.Native;

namespace CoKv.Cli.Commands;

/// <summary>
/// <c>cokv quantize</c>: llama.cpp's own quantizer (through LLamaSharp), so the quantized files users download can be
/// made from any F32/F16 GGUF here, e.g. to benchmark one shape in every type.
/// </summary>
public static class QuantizeCommand
{
    static readonly Dictionary<string, LLamaFtype> Types = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Q8_0"] = LLamaFtype.MOSTLY_Q8_0, ["Q6_K"] = LLamaFtype.MOSTLY_Q6_K, ["Q5_K_M"] = LLamaFtype.MOSTLY_Q5_K_M,
        ["Q5_K_S"] = LLamaFtype.MOSTLY_Q5_K_S, ["Q4_K_M"] = LLamaFtype.MOSTLY_Q4_K_M, ["Q4_K_S"] = LLamaFtype.MOSTLY_Q4_K_S,
        ["Q3_K_M"] = LLamaFtype.MOSTLY_Q3_K_M, ["Q2_K"] = LLamaFtype.MOSTLY_Q2_K, ["Q4_0"] = LLamaFtype.MOSTLY_Q4_0,
        ["Q4_1"] = LLamaFtype.MOSTLY_Q4_1, ["Q5_0"] = LLamaFtype.MOSTLY_Q5_0, ["Q5_1"] = LLamaFtype.MOSTLY_Q5_1,
        ["IQ4_XS"] = LLamaFtype.MOSTLY_IQ4_XS, ["IQ4_NL"] = LLamaFtype.MOSTLY_IQ4_NL,
    };

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The F32/F16/BF16 .gguf to quantize.", Required = true };
        var type = new Option<string>("--type") { Description = $"One of {string.Join(", ", Types.Keys)}.", Required = true };
        var output = new Option<string>("--out") { Description = "The quantized .gguf to write.", Required = true };
        var threads = new Option<int>("--threads") { Description = "Quantizer threads.", DefaultValueFactory = _ => 2 };
        var command = new Command("quantize", "Quantize a GGUF with llama.cpp's quantizer (Q8_0, Q6_K, Q4_K_M, …).") { model, type, output, threads };
        command.SetAction(parse => CommandErrors.Guard(() =>
        {
            var input = parse.GetValue(model)!;
            if (!File.Exists(input)) throw new FileNotFoundException($"{input}: no such file.", input);
            if (!Types.TryGetValue(parse.GetValue(type)!, out var ftype))
                throw new ArgumentException($"Unknown quantization type '{parse.GetValue(type)}'. Known: {string.Join(", ", Types.Keys)}.");
            LlamaCppRuntime.Initialize();
            if (!LLamaQuantizer.Quantize(input, parse.GetValue(output)!, ftype, parse.GetValue(threads)))
                throw new ArgumentException($"llama.cpp could not quantize {input} to {parse.GetValue(type)}.");
            Console.WriteLine($"wrote {parse.GetValue(output)} ({new FileInfo(parse.GetValue(output)!).Length / 1048576.0:F1} MiB)");
            return 0;
        }));
        return command;
    }
}
