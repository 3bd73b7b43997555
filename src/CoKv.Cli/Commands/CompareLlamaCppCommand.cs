using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CoKv.Benchmarks;
using CoKv.Cache;
using CoKv.Compression;
using CoKv.Generation;
using CoKv.Gguf;
using CoKv.LlamaCpp;
using CoKv.Models;
using CoKv.Profiles;
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
        var promptTokens = new Option<int>("--prompt-tokens") { Description = "Prompt length.", DefaultValueFactory = _ => 128 };
        var decodeTokens = new Option<int>("--decode-tokens") { Description = "Tokens generated after the prompt.", DefaultValueFactory = _ => 64 };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs per engine; the best is reported.", DefaultValueFactory = _ => 3 };
        var chunk = new Option<int>("--chunk")
        {
            Description = "Our prefill chunk: the prompt goes through the model in calls of this many tokens (default: 512, the library's default; "
                + "0: the whole prompt in one call, as llama.cpp's batch, at more activation memory).",
            DefaultValueFactory = _ => new LocalModelOptions().PrefillChunkSize,
        };
        var policy = new Option<string?>("--policy") { Description = "Also decode on our compressed cache with this budget policy (cokv and baklava get random head scores unless --profile is given)." };
        var budget = new Option<int>("--budget") { Description = "Mean tokens per KV head for --policy.", DefaultValueFactory = _ => 128 };
        var profile = new Option<string?>("--profile") { Description = "A profile JSON whose head scores cokv/baklava use." };
        var llamaBin = new Option<string?>("--llama-cpp-bin") { Description = "A folder holding a libllama built from LLamaSharp's llama.cpp commit (default: LLamaSharp's own build)." };
        var writeRandom = new Option<string?>("--write-random-smollm2-shape", "--write-random")
        {
            Description = "Write a random-weight F32 GGUF of --shape (default SmolLM2-135M's) to this path and exit (measure it in a fresh process).",
        };
        var fidelity = new Option<int>("--fidelity")
        {
            Description = "Also compare logits over this many teacher-forced positions of the prompt (our decode steps vs llama.cpp's): top-1 agreement and relative error.",
            DefaultValueFactory = _ => 0,
        };
        var shape = new Option<string>("--shape") { Description = $"The shape --write-random writes: {string.Join(", ", ModelShapes.Names)}.", DefaultValueFactory = _ => "smollm2-135m" };
        var command = new Command("compare-llamacpp", "Tokens/s of prefill and decode, ours (full and compressed cache) vs llama.cpp's full cache, on the same GGUF.")
        {
            model, threads, promptTokens, decodeTokens, repeats, chunk, policy, budget, profile, llamaBin, writeRandom, shape, fidelity,
        };
        command.SetAction(parse => CommandErrors.Guard(() =>
        {
            if (parse.GetValue(writeRandom) is { } randomPath)
            {
                WriteRandom(randomPath, ModelShapes.Get(parse.GetValue(shape)!));
                Console.WriteLine($"wrote {randomPath} ({new FileInfo(randomPath).Length / (1 << 20):N0} MiB)");
                return 0;
            }
            if (parse.GetValue(chunk) < 0) throw new ArgumentException($"--chunk must be 0 (the whole prompt) or positive, not {parse.GetValue(chunk)}.");
            var settings = new Settings(parse.GetValue(threads), parse.GetValue(promptTokens), parse.GetValue(decodeTokens),
                parse.GetValue(repeats), parse.GetValue(chunk), parse.GetValue(policy), parse.GetValue(budget), parse.GetValue(profile),
                parse.GetValue(fidelity));
            Run(ModelPathOption.Resolve(parse.GetValue(model)), settings, parse.GetValue(llamaBin));
            return 0;
        }));
        return command;
    }

    sealed record Settings(int Threads, int PromptLength, int DecodeLength, int Repeats, int Chunk, string? Policy, int Budget, string? ProfilePath,
        int Fidelity = 0)
    {
        /// <summary>Tokens per prefill graph: the chunk, or the whole prompt for 0.</summary>
        public int PrefillChunk => Chunk > 0 ? Math.Min(Chunk, PromptLength) : PromptLength;
    }

    /// <summary>Best tokens/s of one engine over the repeats.</summary>
    sealed class Best
    {
        public double Prefill, Decode, CompressMs = double.MaxValue;
        public void Add(double prefill, double decode, double compressMs = double.MaxValue)
        {
            Prefill = Math.Max(Prefill, prefill);
            Decode = Math.Max(Decode, decode);
            CompressMs = Math.Min(CompressMs, compressMs);
        }
    }

    static void Run(string path, Settings s, string? llamaBin)
    {
        // The runtime first (libtorch's static initialisation alone is ~110 MiB of code and heap), so the memory line can
        // tell what the engine costs from what a model costs.
        long rssBefore = Memory("VmRSS");
        InitializeDeviceType(TorchSharp.DeviceType.CPU);
        long runtime = Memory("VmRSS") - rssBefore;
        var clock = Stopwatch.StartNew();
        using var ours = LocalModel.Load(path, new LocalModelOptions { Threads = s.Threads });
        var loadTime = clock.Elapsed;
        long peakLoading = Memory("VmHWM"), rssLoaded = Memory("VmRSS");
        Console.WriteLine(Invariant($"{ours.ModelId}: {ours.Config.Architecture}, {ours.Config.LayerCount} layers, d {ours.Config.HiddenSize}, {ours.Config.HeadCount}/{ours.Config.KvHeadCount} heads, {ours.Config.ParameterCount():N0} parameters, file {new FileInfo(path).Length / 1048576.0:F1} MiB"));
        Console.WriteLine(Invariant($"ours: loaded in {loadTime.TotalSeconds:F2} s; RSS {rssBefore / 1048576.0:F0} MiB before, {(rssBefore + runtime) / 1048576.0:F0} MiB with TorchSharp initialised, {rssLoaded / 1048576.0:F0} MiB after, peak while loading (VmHWM) {peakLoading / 1048576.0:F0} MiB"));

        var rng = new Random(11);
        var prompt = new int[s.PromptLength];
        prompt[0] = ours.Tokenizer.BosId ?? 1;
        for (int i = 1; i < s.PromptLength; i++) prompt[i] = rng.Next(3, ours.Config.VocabSize);
        var compressor = s.Policy is null ? null : Compressor(ours, s);

        // A short untimed run warms each engine (JIT, caches, allocators); then the timed runs, ours before llama.cpp is
        // loaded, so each engine's peak RSS is its own: the growth over the RSS before its load (libraries, weights,
        // KV cache, buffers).
        var warmUp = prompt[..Math.Min(64, prompt.Length)];
        Ours(ours, warmUp, s with { DecodeLength = 8 }, null, out _, out _, out _);
        Best full = new(), compressed = new(), theirs = new();
        List<int> ourTokens = [];
        for (int r = 0; r < s.Repeats; r++)
        {
            ourTokens = Ours(ours, prompt, s, null, out var prefill, out var decode, out _);
            full.Add(prefill, decode);
            if (compressor != null)
            {
                Ours(ours, prompt, s, compressor, out prefill, out decode, out var compressMs);
                compressed.Add(prefill, decode, compressMs);
            }
        }
        long ourPeak = ProcessMemory.Peak() - rssBefore;

        long rssBeforeTheirs = ProcessMemory.Resident();
        ProcessMemory.ResetPeak();
        LlamaCppRuntime.Initialize(llamaBin);
        using var reference = LlamaCppModel.Load(path);
        // Batches of at most 2,048 (llama.cpp's default n_batch), each one graph. With n_ubatch 512 (its default) we once
        // measured this build decoding at 0.5 tokens/s after a 4,096-token prompt (f32 cache, no flash attention), which
        // would flatter ours.
        using var context = LlamaCppContext.Create(reference, contextLength: s.PromptLength + s.DecodeLength,
            batchSize: Math.Min(s.PromptLength, 2048), threads: s.Threads);
        context.GenerateGreedy(warmUp, 8, stopAtEog: false);
        List<int> theirTokens = [];
        for (int r = 0; r < s.Repeats; r++)
        {
            theirTokens = context.GenerateGreedy(prompt, s.DecodeLength, stopAtEog: false).ToList();
            var t = context.LastTimings!;
            theirs.Add(t.PrefillTokensPerSecond, t.DecodeTokensPerSecond);
        }
        long theirPeak = ProcessMemory.Peak() - rssBeforeTheirs;
        int agree = ourTokens.Zip(theirTokens).TakeWhile(p => p.First == p.Second).Count();

        Console.WriteLine(Invariant($"{s.Threads} threads, prompt {s.PromptLength} tokens (ours: calls of {s.PrefillChunk}; llama.cpp: batches of {Math.Min(s.PromptLength, 2048)}), {s.DecodeLength} greedy tokens; best of {s.Repeats}"));
        Console.WriteLine(Invariant($"{"",-22} {"prefill tok/s",14} {"decode tok/s",13}"));
        Console.WriteLine(Invariant($"{"ours, full cache",-22} {full.Prefill,14:F1} {full.Decode,13:F1}"));
        if (compressor != null)
            Console.WriteLine(Invariant($"{$"ours, {s.Policy} B={s.Budget}",-22} {compressed.Prefill,14:F1} {compressed.Decode,13:F1}   (look-ahead of {compressor.Lookahead} and compression {compressed.CompressMs:F0} ms)"));
        Console.WriteLine(Invariant($"{"llama.cpp, full cache",-22} {theirs.Prefill,14:F1} {theirs.Decode,13:F1}"));
        double decodeRatio = (compressor != null ? compressed.Decode : full.Decode) / theirs.Decode;
        if (compressor != null)
            Console.WriteLine(Invariant($"ratio ours full/llama.cpp: prefill {full.Prefill / theirs.Prefill:F2}, decode {full.Decode / theirs.Decode:F2}"));
        Console.WriteLine(Invariant($"peak RSS growth over load and one run: ours {ourPeak / 1048576.0:F0} MiB (file {new FileInfo(path).Length / 1048576.0:F0} MiB), llama.cpp {theirPeak / 1048576.0:F0} MiB (its weights are memory-mapped)"));
        double bandwidth = MemoryBandwidth.ReadGigabytesPerSecond(s.Threads);
        double weightBytes = ours.Decoder.ManagedWeights.Bytes;
        Console.WriteLine(Invariant($"memory: {bandwidth:F1} GB/s read with {s.Threads} threads; a decode step reads {weightBytes / 1e6:F0} MB of weights (+ its KV): ours full {weightBytes * full.Decode / 1e9:F1} GB/s of weights ({100 * weightBytes * full.Decode / 1e9 / bandwidth:F0}%), llama.cpp {weightBytes * theirs.Decode / 1e9:F1} GB/s (same weight bytes for F32; its own for other types)"));
        Console.WriteLine(MemoryBound.Line(ours.Config, path, s.PromptLength + s.DecodeLength, ourPeak, runtime));
        if (s.Fidelity > 0) Console.WriteLine(LogitFidelity.Measure(ours, reference, prompt[..Math.Min(s.Fidelity, prompt.Length)], s.Threads).ToString());
        Console.WriteLine(Invariant($"ratio ours/llama.cpp: prefill {full.Prefill / theirs.Prefill:F2}, decode {decodeRatio:F2}; greedy tokens agree for the first {agree} of {s.DecodeLength}"));
    }

    static HeadBudgetCompressor Compressor(LocalModel model, Settings s)
    {
        var config = model.Config;
        HeadScores? scores = null;
        if (s.ProfilePath is { } file) scores = new ProfileStore(Path.GetDirectoryName(Path.GetFullPath(file))!).Load(Path.GetFullPath(file), model.Fingerprint).Scores;
        else if (BudgetPolicies.Find(s.Policy!).NeedsProfile)
        {
            var random = new Random(3);
            scores = HeadScores.Create(config.LayerCount, config.KvHeadCount,
                Enumerable.Range(0, config.LayerCount * config.KvHeadCount).Select(_ => random.NextDouble()).ToArray());
        }
        return BudgetPolicies.Compressor(s.Policy!, s.Budget, scores, reserve: s.DecodeLength + 8);
    }

    /// <summary>The same work llama.cpp's GenerateGreedy does: one prefill, then decode steps of one token each; with a
    /// compressor, the cache is compressed in between (timed apart, with the look-ahead's decode steps).</summary>
    static List<int> Ours(LocalModel model, int[] prompt, Settings s, HeadBudgetCompressor? compressor,
        out double prefillPerSecond, out double decodePerSecond, out double compressMs)
    {
        int lookahead = compressor?.Lookahead ?? 0;
        using var session = new InferenceSession(model.Decoder, prompt.Length + Math.Max(s.DecodeLength, lookahead), (compressor?.ObservationWindow ?? 0) + lookahead);
        var clock = Stopwatch.StartNew();
        var logits = session.Prefill(prompt, chunkSize: s.PrefillChunk);
        int next = ArgMax(logits);
        prefillPerSecond = prompt.Length / clock.Elapsed.TotalSeconds;
        compressMs = 0;
        if (compressor != null)
        {
            clock.Restart();
            session.LookAhead(logits, lookahead, compressor.ObservationWindow, model.Tokenizer.StopIds); // as a request does
            session.ReplaceCache(compressor.Compress((DenseKvCache)session.Cache).Cache);
            compressMs = clock.Elapsed.TotalMilliseconds;
        }
        var output = new List<int> { next };
        clock.Restart();
        while (output.Count < s.DecodeLength)
        {
            logits.Dispose();
            logits = session.Step(next);
            next = ArgMax(logits);
            output.Add(next);
        }
        logits.Dispose();
        decodePerSecond = s.DecodeLength > 1 ? (s.DecodeLength - 1) / clock.Elapsed.TotalSeconds : 0;
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

    /// <summary>A model shape (e.g. SmolLM2-135M's: 30 layers, d 576, 9 query / 3 KV heads of 64, FFN 1536, vocab 49152,
    /// tied) with random weights and a synthetic SentencePiece vocabulary llama.cpp accepts.</summary>
    static void WriteRandom(string path, ModelConfig config)
    {
        config = config with { MaxContext = 32768, RopeScaling = null };
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
