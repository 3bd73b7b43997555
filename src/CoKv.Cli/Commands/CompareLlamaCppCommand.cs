using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CoKv.Generation;
using CoKv.Gguf;
using CoKv.LlamaCpp;
using CoKv.Models;
using static TorchSharp.torch;

namespace CoKv.Cli.Commands;

/// <summary>
/// <c>cokv compare-llamacpp</c>: prefill and decode speed of our decoder against llama.cpp on the same GGUF, with the
/// same thread count and the same work (greedy, one sequence, f32 KV cache), plus our peak RSS while loading.
/// </summary>
public static class CompareLlamaCppCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "The .gguf file both engines run." };
        var threads = new Option<int>("--threads") { Description = "CPU threads for both engines.", DefaultValueFactory = _ => 2 };
        var promptTokens = new Option<int>("--prompt-tokens") { Description = "Prompt length (one prefill call).", DefaultValueFactory = _ => 128 };
        var decodeTokens = new Option<int>("--decode-tokens") { Description = "Tokens generated after the prompt.", DefaultValueFactory = _ => 64 };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs per engine; the best is reported.", DefaultValueFactory = _ => 3 };
        var llamaBin = new Option<string?>("--llama-cpp-bin") { Description = "Folder of llama.cpp's libraries (default: the repository's .cache/llama-cpp)." };
        var writeRandom = new Option<string?>("--write-random-smollm2-shape")
        {
            Description = "Write a random-weight F32 GGUF with SmolLM2-135M's shape to this path and exit (measure it in a fresh process).",
        };
        var command = new Command("compare-llamacpp", "Tokens/s of prefill and decode, ours vs llama.cpp, on the same GGUF.")
        {
            model, threads, promptTokens, decodeTokens, repeats, llamaBin, writeRandom,
        };
        command.SetAction(parse => CommandErrors.Guard(() =>
        {
            if (parse.GetValue(writeRandom) is { } randomPath)
            {
                WriteSmolLm2Shape(randomPath);
                Console.WriteLine($"wrote {randomPath} ({new FileInfo(randomPath).Length / (1 << 20):N0} MiB)");
                return 0;
            }
            Run(ModelPathOption.Resolve(parse.GetValue(model)), parse.GetValue(threads), parse.GetValue(promptTokens),
                parse.GetValue(decodeTokens), parse.GetValue(repeats), parse.GetValue(llamaBin));
            return 0;
        }));
        return command;
    }

    static void Run(string path, int threads, int promptLength, int decodeLength, int repeats, string? llamaBin)
    {
        long rssBefore = Memory("VmRSS");
        var clock = Stopwatch.StartNew();
        using var ours = LocalModel.Load(path, new LocalModelOptions { Threads = threads });
        var loadTime = clock.Elapsed;
        long peakLoading = Memory("VmHWM"), rssLoaded = Memory("VmRSS");
        Console.WriteLine(Invariant($"{ours.ModelId}: {ours.Config.Architecture}, {ours.Config.LayerCount} layers, d {ours.Config.HiddenSize}, {ours.Config.HeadCount}/{ours.Config.KvHeadCount} heads, {ours.Config.ParameterCount():N0} parameters, file {new FileInfo(path).Length / 1048576.0:F1} MiB"));
        Console.WriteLine(Invariant($"ours: loaded in {loadTime.TotalSeconds:F2} s; RSS {rssBefore / 1048576.0:F0} MiB before, {rssLoaded / 1048576.0:F0} MiB after, peak while loading (VmHWM) {peakLoading / 1048576.0:F0} MiB"));

        var rng = new Random(11);
        var prompt = new int[promptLength];
        prompt[0] = ours.Tokenizer.BosId ?? 1;
        for (int i = 1; i < promptLength; i++) prompt[i] = rng.Next(3, ours.Config.VocabSize);

        LlamaCppRuntime.Initialize(llamaBin);
        using var reference = LlamaCppModel.Load(path);
        using var context = LlamaCppContext.Create(reference, contextLength: promptLength + decodeLength, batchSize: promptLength, threads: threads);

        // One untimed run each warms caches and allocators.
        var ourTokens = Ours(ours, prompt, decodeLength, out _, out _);
        var theirTokens = context.GenerateGreedy(prompt, decodeLength, stopAtEog: false);
        int agree = ourTokens.Zip(theirTokens).TakeWhile(p => p.First == p.Second).Count();

        double bestOurPrefill = 0, bestOurDecode = 0, bestTheirPrefill = 0, bestTheirDecode = 0;
        for (int r = 0; r < repeats; r++)
        {
            Ours(ours, prompt, decodeLength, out var prefill, out var decode);
            bestOurPrefill = Math.Max(bestOurPrefill, prefill);
            bestOurDecode = Math.Max(bestOurDecode, decode);
            context.GenerateGreedy(prompt, decodeLength, stopAtEog: false);
            var t = context.LastTimings!;
            bestTheirPrefill = Math.Max(bestTheirPrefill, t.PrefillTokensPerSecond);
            bestTheirDecode = Math.Max(bestTheirDecode, t.DecodeTokensPerSecond);
        }
        Console.WriteLine(Invariant($"{threads} threads, prompt {promptLength} tokens (one call), {decodeLength} greedy tokens; best of {repeats}"));
        Console.WriteLine(Invariant($"{"",-10} {"prefill tok/s",14} {"decode tok/s",13}"));
        Console.WriteLine(Invariant($"{"ours",-10} {bestOurPrefill,14:F1} {bestOurDecode,13:F1}"));
        Console.WriteLine(Invariant($"{"llama.cpp",-10} {bestTheirPrefill,14:F1} {bestTheirDecode,13:F1}"));
        Console.WriteLine(Invariant($"ratio ours/llama.cpp: prefill {bestOurPrefill / bestTheirPrefill:F2}, decode {bestOurDecode / bestTheirDecode:F2}; greedy tokens agree for the first {agree} of {decodeLength}"));
    }

    /// <summary>The same work llama.cpp's GenerateGreedy does: one prefill call, then decode steps of one token each.</summary>
    static List<int> Ours(LocalModel model, int[] prompt, int newTokens, out double prefillPerSecond, out double decodePerSecond)
    {
        using var session = new InferenceSession(model.Decoder, prompt.Length + newTokens);
        var clock = Stopwatch.StartNew();
        var logits = session.Prefill(prompt, chunkSize: prompt.Length);
        int next = ArgMax(logits);
        prefillPerSecond = prompt.Length / clock.Elapsed.TotalSeconds;
        var output = new List<int> { next };
        clock.Restart();
        while (output.Count < newTokens)
        {
            logits.Dispose();
            logits = session.Step(next);
            next = ArgMax(logits);
            output.Add(next);
        }
        logits.Dispose();
        decodePerSecond = newTokens > 1 ? (newTokens - 1) / clock.Elapsed.TotalSeconds : 0;
        return output;
    }

    static int ArgMax(Tensor logits)
    {
        using var scope = NewDisposeScope();
        return (int)logits.argmax().item<long>();
    }

    static long Memory(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>SmolLM2-135M's shape (30 layers, d 576, 9 query / 3 KV heads of 64, FFN 1536, vocab 49152, tied)
    /// with random weights and a synthetic SentencePiece vocabulary llama.cpp accepts.</summary>
    static void WriteSmolLm2Shape(string path)
    {
        var config = new ModelConfig
        {
            Architecture = "llama", VocabSize = 49152, HiddenSize = 576, IntermediateSize = 1536, LayerCount = 30,
            HeadCount = 9, KvHeadCount = 3, HeadDim = 64, MaxContext = 2048, RopeTheta = 100000, RmsNormEps = 1e-5, TiedEmbeddings = true,
        };
        var rng = new Random(5);
        var tensors = new Dictionary<string, (long[] shape, float[] data)>(StringComparer.Ordinal);
        foreach (var (name, shape) in ExpectedWeights.For(config))
        {
            var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
            bool norm = name.EndsWith("norm.weight", StringComparison.Ordinal);
            double scale = norm ? 0.1 : 1.0 / Math.Sqrt(shape[^1]);
            for (int i = 0; i < data.Length; i++) data[i] = (float)((norm ? 1 : 0) + scale * (rng.NextDouble() * 2 - 1));
            tensors[name] = (shape, data);
        }
        var tokens = new string[config.VocabSize];
        var scores = new float[config.VocabSize];
        var types = new int[config.VocabSize];
        (tokens[0], tokens[1], tokens[2]) = ("<unk>", "<s>", "</s>");
        (types[0], types[1], types[2]) = (2, 3, 3);
        for (int i = 3; i < tokens.Length; i++)
        {
            tokens[i] = i < 3 + 256 ? $"<0x{i - 3:X2}>" : $"▁w{i}";
            types[i] = i < 3 + 256 ? 6 : 1;
            scores[i] = -i;
        }
        var tokenizer = new Dictionary<string, object>
        {
            ["tokenizer.ggml.model"] = "llama",
            ["tokenizer.ggml.tokens"] = tokens,
            ["tokenizer.ggml.scores"] = scores,
            ["tokenizer.ggml.token_type"] = types,
            ["tokenizer.ggml.bos_token_id"] = 1u,
            ["tokenizer.ggml.eos_token_id"] = 2u,
            ["tokenizer.ggml.unknown_token_id"] = 0u,
        };
        GgufModelWriter.Write(path, config, tensors, tokenizer);
    }
}
