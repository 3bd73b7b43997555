using CoKv.Tests;
using Xunit.Abstractions;

namespace CoKv.Fuzz.Tests;

/// <summary>
/// Seeded mutations of real files through the real loaders: every case must load or fail with ModelFormatException
/// (ProfileFormatException for profiles) whose message names the file and is short, within a timeout and a memory
/// bound (see <see cref="FuzzRunner"/>). The case counts per format add up to <see cref="TotalCases"/>.
/// </summary>
public sealed class HostileFileFuzzTests(ITestOutputHelper output)
{
    const int DefaultGgufCases = 450, StoriesGgufCases = 450, Llama2cCases = 250, Llama2cTokenizerCases = 250,
        BpeFolderCases = 500, SentencePieceFolderCases = 200, ProfileCases = 300;

    public const int TotalCases = DefaultGgufCases + StoriesGgufCases + Llama2cCases + Llama2cTokenizerCases + BpeFolderCases + SentencePieceFolderCases + ProfileCases;

    [Fact]
    public void At_least_two_thousand_cases_are_run() => Assert.True(TotalCases >= 2000, $"{TotalCases} cases");

    [Fact]
    public void Gguf_default_model() => Gguf("gguf-default", Fixtures.DefaultModel, DefaultGgufCases, seed: 1);

    [Fact]
    public void Gguf_stories260K() => Gguf("gguf-stories260K", Fixtures.Shared("stories260K.gguf"), StoriesGgufCases, seed: 2);

    void Gguf(string format, string source, int cases, int seed)
    {
        var original = File.ReadAllBytes(source);
        var fields = FieldMaps.Gguf(original);
        long header = fields.Max(f => f.Offset + f.Width);
        var dir = TestPaths.TempDir("fuzz-" + format);
        var path = Path.Combine(dir, "model.gguf");
        Check(new FuzzRunner(output).Run(format, cases, seed, random =>
        {
            var (bytes, what) = random.Next(20) == 0
                ? (Mutator.GgufWithNestedArray(original, random.Next(2) == 0 ? random.Next(2, 12) : random.Next(1000, 200_000)), "a nested metadata array")
                : Mutator.Binary(original, fields, random, header);
            File.WriteAllBytes(path, bytes);
            return new FuzzCase(what, dir, () => Loaders.Model(path));
        }));
    }

    [Fact]
    public void Llama2c_checkpoint()
    {
        var original = File.ReadAllBytes(Fixtures.Shared("stories260K.bin"));
        var tokenizer = Fixtures.Shared("tok512.bin");
        var dir = TestPaths.TempDir("fuzz-llama2c");
        var path = Path.Combine(dir, "model.bin");
        Check(new FuzzRunner(output).Run("llama2c", Llama2cCases, 3, random =>
        {
            var (bytes, what) = Mutator.Binary(original, FieldMaps.Llama2c(), random, 28);
            File.WriteAllBytes(path, bytes);
            return new FuzzCase(what, dir, () => Loaders.Model(path, tokenizer));
        }));
    }

    [Fact]
    public void Llama2c_tokenizer()
    {
        var original = File.ReadAllBytes(Fixtures.Shared("tok512.bin"));
        var fields = FieldMaps.Llama2cTokenizer(original);
        var model = Fixtures.Shared("stories260K.bin");
        var dir = TestPaths.TempDir("fuzz-tok");
        var path = Path.Combine(dir, "tok512.bin");
        Check(new FuzzRunner(output).Run("llama2c-tokenizer", Llama2cTokenizerCases, 4, random =>
        {
            var (bytes, what) = Mutator.Binary(original, fields, random, original.Length);
            File.WriteAllBytes(path, bytes);
            return new FuzzCase(what, dir, () =>
            {
                Loaders.Tokenizer(CoKv.Tokenization.TokenizerFactory.FromLlama2c(path));
                Loaders.Model(model, path);
            });
        }));
    }

    [Fact]
    public void HuggingFace_folder_with_bpe_tokenizer() =>
        Folder("hf-bpe", Fixtures.WriteBpeFolder, ["config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json", "model.safetensors"], BpeFolderCases, 5);

    [Fact]
    public void HuggingFace_folder_with_sentencepiece_tokenizer() =>
        Folder("hf-spm", Fixtures.WriteSentencePieceFolder, ["tokenizer.model", "tokenizer.model", "config.json", "tokenizer_config.json"], SentencePieceFolderCases, 6);

    void Folder(string format, Func<string, string> write, string[] files, int cases, int seed)
    {
        var dir = write(TestPaths.TempDir("fuzz-" + format));
        Loaders.Model(dir); // the fixture itself loads
        var originals = files.Distinct().ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(dir, f)));
        Check(new FuzzRunner(output).Run(format, cases, seed, random =>
        {
            var file = files[random.Next(files.Length)];
            var original = originals[file];
            var (bytes, what) = file switch
            {
                "model.safetensors" => SafetensorsMutation(original, random),
                "tokenizer.model" => Mutator.Binary(original, [new Field(0, 1, "first tag")], random, original.Length),
                _ => JsonMutator.Mutate(original, random),
            };
            var path = Path.Combine(dir, file);
            File.WriteAllBytes(path, bytes);
            return new FuzzCase($"{file}: {what}", dir, () =>
            {
                try { Loaders.Model(dir); }
                finally { File.WriteAllBytes(path, original); }
            });
        }));
    }

    /// <summary>Half the time the JSON header is mutated (and its length field fixed up), else the bytes.</summary>
    static (byte[], string) SafetensorsMutation(byte[] original, Random random)
    {
        if (random.Next(2) == 0) return Mutator.Binary(original, FieldMaps.Safetensors(), random, 8 + (long)BitConverter.ToUInt64(original));
        int headerLength = (int)BitConverter.ToUInt64(original);
        var (json, what) = JsonMutator.Mutate(original[8..(8 + headerLength)], random);
        return ([.. BitConverter.GetBytes((ulong)json.Length), .. json, .. original[(8 + headerLength)..]], "header " + what);
    }

    [Fact]
    public void Profiles()
    {
        var dir = TestPaths.TempDir("fuzz-profile");
        var store = new CoKv.Profiles.ProfileStore(dir);
        var path = store.Save(Fixtures.Profile());
        Loaders.Profile(path);
        var original = File.ReadAllBytes(path);
        Check(new FuzzRunner(output).Run("profile", ProfileCases, 7, random =>
        {
            var (bytes, what) = JsonMutator.Mutate(original, random);
            File.WriteAllBytes(path, bytes);
            return new FuzzCase(what, dir, () => Loaders.Profile(path));
        }));
    }

    static void Check(FuzzRunner.Summary summary) =>
        Assert.True(summary.Failures.Count == 0, $"{summary.Failures.Count} failing cases of {summary.Format}:\n" + string.Join("\n", summary.Failures));
}
