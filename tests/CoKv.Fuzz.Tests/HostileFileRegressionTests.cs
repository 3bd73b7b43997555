using System.Diagnostics;
using System.Text;
using CoKv.Compression;
using CoKv.Gguf;
using CoKv.Models;
using CoKv.Profiles;
using CoKv.Tests;
using Xunit.Abstractions;

namespace CoKv.Fuzz.Tests;

/// <summary>
/// One test per class of failure the fuzzer of issue 13 found: each corrupts a real file in exactly that way and checks
/// the loader refuses it with a ModelFormatException (or ProfileFormatException) whose message names the file, the
/// field and the value, and stays short.
/// </summary>
public sealed class HostileFileRegressionTests(ITestOutputHelper output)
{
    static byte[] Stories => File.ReadAllBytes(Fixtures.Shared("stories260K.gguf"));

    ModelFormatException Refused(Action load, string path, params string[] expected)
    {
        var e = Assert.ThrowsAny<ModelFormatException>(load);
        output.WriteLine(e.Message);
        Assert.Contains(path, e.Message);
        foreach (var text in expected) Assert.Contains(text, e.Message);
        Assert.True(e.Message.Length < FuzzRunner.MaxMessageLength, $"{e.Message.Length} characters");
        return e;
    }

    static string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(TestPaths.TempDir("hostile"), name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    // ---- Crash: GGUF arrays nested hundreds of thousands deep ----

    [Fact]
    public void Gguf_arrays_nested_300000_deep_are_refused_in_process()
    {
        var path = Write("nested.gguf", Mutator.GgufWithNestedArray(Stories, 300_000));
        Refused(() => GgufFile.Open(path).Dispose(), path, "fuzz.nested", $"nested more than {8} levels deep");
        // Up to the limit they still read (llama.cpp writes no nested arrays; 8 levels is generous).
        var shallow = Write("nested-ok.gguf", Mutator.GgufWithNestedArray(Stories, 7));
        using var file = GgufFile.Open(shallow);
        Assert.IsType<object[]>(file.Metadata["fuzz.nested"]);
    }

    [Fact]
    public async Task Gguf_arrays_nested_a_million_deep_do_not_crash_a_separate_process()
    {
        // A stack overflow cannot be caught: this runs `cokv inspect` in its own process, where one would show as a
        // crash exit code (134, SIGABRT) rather than the one-line error.
        var path = Write("deep.gguf", Mutator.GgufWithNestedArray(Stories, 1_000_000));
        var cokv = Path.Combine(AppContext.BaseDirectory, "cokv.dll");
        Assert.True(File.Exists(cokv), $"{cokv} is missing: the test project references the CLI to run it.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { cokv, "inspect", "--model", path }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderrTask = process.StandardError.ReadToEndAsync();
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("cokv inspect did not finish within 2 minutes.");
        }
        var stderr = await stderrTask;
        await stdoutTask;
        output.WriteLine($"exit code {process.ExitCode}; stderr: {stderr}");
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("nested more than 8 levels deep", stderr);
        Assert.Contains(path, stderr);
    }

    // ---- Hang / memory: dimensions near 2^31, ids near 10^9 ----

    [Theory]
    [InlineData(2, int.MaxValue)] // n_layers
    [InlineData(0, 1 << 30)] // dim
    [InlineData(1, int.MaxValue)] // hidden_dim
    [InlineData(6, int.MaxValue)] // seq_len
    [InlineData(5, -int.MaxValue)] // vocab (negative: unshared classifier)
    public void Llama2c_header_dimensions_near_two_to_the_31_fail_before_any_table_is_built(int field, int value)
    {
        var path = Write("model.bin", Edits.Llama2c(File.ReadAllBytes(Fixtures.Shared("stories260K.bin")), field, value));
        long before = GC.GetAllocatedBytesForCurrentThread();
        Refused(() => CoKv.Llama2c.Llama2cCheckpoint.Open(path).Dispose(), path, "needs", "bytes");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the refusal allocated more than 1 MiB");
    }

    [Fact]
    public void Tokenizer_json_vocabulary_and_added_token_ids_near_a_billion_are_refused()
    {
        var dir = Fixtures.WriteBpeFolder(TestPaths.TempDir("hostile-bpe"));
        var json = Path.Combine(dir, "tokenizer.json");
        var original = File.ReadAllText(json);
        Edits.Json(json, root => root["model"]!["vocab"]!["on"] = 999_999_999);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Refused(() => ModelFiles.Open(dir).Dispose(), json, "token id 999,999,999 is out of range", "ids must be below");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "the refusal allocated more than 16 MiB");

        File.WriteAllText(json, original);
        Edits.Json(json, root => root["added_tokens"]![0]!["id"] = 10_000_000);
        Refused(() => ModelFiles.Open(dir).Dispose(), json, "token id 10,000,000");
    }

    [Fact]
    public void Added_token_ids_near_a_billion_beside_a_tokenizer_model_are_refused()
    {
        var dir = Fixtures.WriteSentencePieceFolder(TestPaths.TempDir("hostile-spm"));
        var json = Path.Combine(dir, "tokenizer.json");
        File.WriteAllText(json, """{"model": {"type": "Unigram"}, "added_tokens": [{"id": 999999999, "content": "<x>", "special": true}]}""");
        Refused(() => ModelFiles.Open(dir).Dispose(), json, "token id 999,999,999");
    }

    // ---- Unclear errors: JSON values of the wrong kind ----

    public static TheoryData<string, string, string, string> WrongKinds => new()
    {
        // file, JSON path to set, value (JSON), what the message must name
        { "tokenizer.json", "added_tokens.0.special", "{}", "'added_tokens[0].special' should be true or false, not object {}" },
        { "tokenizer.json", "added_tokens.0.id", "\"260\"", "'added_tokens[0].id' should be a number, not string '260'" },
        { "tokenizer.json", "model.vocab", "null", "'model.vocab' is missing" },
        { "tokenizer.json", "model.merges.0", "[1, 2]", "'model.merges[0][0]' should be a string, not 1" },
        { "tokenizer_config.json", "bos_token", "{\"content\": 5}", "'bos_token.content' should be a string, not 5" },
        { "tokenizer_config.json", "eos_token", "[]", "'eos_token' should be a string or an object" },
        { "generation_config.json", "eos_token_id", "1e10", "'eos_token_id' is 1e10; it must be an integer" },
        { "generation_config.json", "eos_token_id", "{}", "'eos_token_id' should be an integer or a list of integers, not object {}" },
        { "config.json", "hidden_size", "\"8\"", "'hidden_size' should be an integer, not string '8'" },
        { "config.json", "rope_theta", "1e400", "'rope_theta' should be a finite number, not 1e400" },
        { "config.json", "tie_word_embeddings", "null", "" }, // null means "not given": loads
    };

    [Theory]
    [MemberData(nameof(WrongKinds))]
    public void Json_values_of_the_wrong_kind_name_the_file_the_field_and_the_value(string file, string jsonPath, string value, string expected)
    {
        var dir = Fixtures.WriteBpeFolder(TestPaths.TempDir("hostile-kinds"));
        var path = Path.Combine(dir, file);
        var text = File.ReadAllText(path);
        Edits.Json(path, root =>
        {
            System.Text.Json.Nodes.JsonNode node = root;
            var parts = jsonPath.Split('.');
            foreach (var part in parts[..^1]) node = int.TryParse(part, out int i) ? node[i]! : node[part]!;
            var parsed = System.Text.Json.Nodes.JsonNode.Parse(value);
            if (int.TryParse(parts[^1], out int last)) node[last] = parsed; else node[parts[^1]] = parsed;
        });
        if (value == "1e10" || value == "1e400") File.WriteAllText(path, File.ReadAllText(path).Replace(value == "1e10" ? "10000000000" : "1e400", value));
        if (expected.Length == 0)
        {
            CoKv.Fuzz.Tests.Loaders.Model(dir);
            return;
        }
        Refused(() => CoKv.Fuzz.Tests.Loaders.Model(dir), path, expected);
        File.WriteAllText(path, text);
    }

    [Fact]
    public void Profile_fields_of_the_wrong_kind_name_the_file_and_the_field()
    {
        var store = new ProfileStore(TestPaths.TempDir("hostile-profile"));
        var path = store.Save(Fixtures.Profile());
        var json = File.ReadAllText(path);
        File.WriteAllText(path, json.Replace("\"layers\": 4", "\"layers\": \"4\""));
        var e = Assert.Throws<ProfileFormatException>(() => store.Load(path));
        output.WriteLine(e.Message);
        Assert.Contains(path, e.Message);
        Assert.Contains("\"scores.layers\" should be a positive 32-bit integer, not string '4'", e.Message);

        File.WriteAllText(path, json.Replace("\"task_type\": \"single-doc-qa\"", "\"task_type\": {}"));
        e = Assert.Throws<ProfileFormatException>(() => store.Load(path));
        output.WriteLine(e.Message);
        Assert.Contains(path, e.Message);
        Assert.Contains("task_type", e.Message);
    }

    [Fact]
    public void Profile_that_is_not_json_names_the_file()
    {
        var store = new ProfileStore(TestPaths.TempDir("hostile-profile"));
        var path = Path.Combine(store.Directory, "broken.json");
        File.WriteAllText(path, "{\"schema_version\": 1, \"scores\": ");
        var e = Assert.Throws<ProfileFormatException>(() => store.Load(path));
        output.WriteLine(e.Message);
        Assert.StartsWith(path + ": not valid JSON", e.Message);
    }

    [Fact]
    public void Profile_store_list_skips_files_it_cannot_read()
    {
        var store = new ProfileStore(TestPaths.TempDir("hostile-list"));
        store.Save(Fixtures.Profile());
        var dir = store.Directory;
        File.WriteAllText(Path.Combine(dir, "garbage.json"), "\u0001not json");
        File.CreateSymbolicLink(Path.Combine(dir, "dangling.json"), Path.Combine(dir, "nowhere.json"));
        File.CreateSymbolicLink(Path.Combine(dir, "loop-a.json"), Path.Combine(dir, "loop-b.json"));
        File.CreateSymbolicLink(Path.Combine(dir, "loop-b.json"), Path.Combine(dir, "loop-a.json"));
        var locked = Path.Combine(dir, "locked.json");
        File.WriteAllText(locked, ProfileStore.Serialize(Fixtures.Profile()));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(locked, UnixFileMode.None); // unreadable, unless the tests run as root
        var entries = store.List();
        Assert.Contains(entries, e => e.Path.EndsWith(".cokv.json", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Path.Contains("garbage") || e.Path.Contains("dangling") || e.Path.Contains("loop"));
    }

    // ---- Unclear errors: invalid UTF-8, int.MinValue, rope_freqs, byte tokens, huge messages ----

    [Fact]
    public void Safetensors_header_with_invalid_utf8_is_refused()
    {
        var path = Path.Combine(TestPaths.TempDir("hostile-st"), "model.safetensors");
        var header = Encoding.UTF8.GetBytes("{\"a\u00ff\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
        int at = Array.IndexOf(header, (byte)0xC3);
        header[at] = 0xFF; // "ÿ" is C3 BF in UTF-8; FF BF is no UTF-8
        Edits.Safetensors(path, header, 4);
        Refused(() => CoKv.SafeTensors.SafetensorsFile.Open(path).Dispose(), path, "is not valid UTF-8", $"byte {at}");
    }

    [Fact]
    public void Llama2c_vocab_of_int_min_is_refused_without_overflow()
    {
        var path = Write("model.bin", Edits.Llama2c(File.ReadAllBytes(Fixtures.Shared("stories260K.bin")), 5, int.MinValue));
        Refused(() => CoKv.Llama2c.Llama2cCheckpoint.Open(path).Dispose(), path, "vocab -2147483648", "does not describe a model");
    }

    [Fact]
    public void Rope_freqs_of_the_wrong_length_is_refused_by_the_loader()
    {
        var dir = Fixtures.WriteBpeFolder(TestPaths.TempDir("hostile-rope"));
        var weights = Path.Combine(dir, "model.safetensors");
        using (var source = CoKv.SafeTensors.SafetensorsWeightSource.Open(weights))
        {
            var tensors = source.Tensors.ToDictionary(t => t.Name, t =>
            {
                var data = new float[t.ElementCount];
                source.ReadFloat32(t.Name, data);
                return (t.Shape, data);
            });
            tensors["rope_freqs"] = ([3], [1f, 1f, 1f]);
            CoKv.SafeTensors.SafetensorsWriter.Write(weights + ".new", tensors);
        }
        File.Move(weights + ".new", weights, overwrite: true);
        Refused(() => CoKv.Fuzz.Tests.Loaders.Model(dir), weights, "'rope_freqs' has 3 values; head_dim 4 needs 2");
    }

    [Fact]
    public void Byte_token_that_is_not_hex_is_refused_at_load_not_at_decode()
    {
        var dir = Fixtures.WriteSentencePieceFolder(TestPaths.TempDir("hostile-byte"), (_, text) => text == "<0x09>" ? "<0x9$>" : text);
        var model = Path.Combine(dir, "tokenizer.model");
        Refused(() => CoKv.Tokenization.TokenizerFactory.FromHuggingFaceFolder(dir), model, "typed as a byte token", "'<0x9$>' is not of the form <0xXX>");
    }

    [Fact]
    public void A_tensor_name_claiming_five_megabytes_gives_a_short_message()
    {
        var original = File.ReadAllBytes(Fixtures.DefaultModel);
        var path = Write("model.gguf", Edits.Gguf(original, "tensor #0 name length", 5_105_424));
        var e = Refused(() => GgufFile.Open(path).Dispose(), path, "claims a length of 5,105,424 bytes; the limit is 256");
        Assert.True(e.Message.Length < 300, $"{e.Message.Length} characters");
    }

    [Fact]
    public void A_megabyte_long_metadata_string_is_quoted_short()
    {
        var path = Path.Combine(TestPaths.TempDir("hostile-arch"), "model.gguf");
        var writer = new GgufWriter();
        writer.Set("general.architecture", new string('x', 1 << 20));
        writer.AddTensor("token_embd.weight", [4, 4], new float[16]);
        writer.Write(path);
        var e = Refused(() => ModelFiles.Open(path).Dispose(), path, "'xxxx", "(1,048,576 chars)");
        Assert.True(e.Message.Length < 300, $"{e.Message.Length} characters");
    }

    // ---- Accepted but wrong ----

    [Fact]
    public void CoKv_policy_with_a_score_of_1e308_gives_budgets_of_at_least_the_window_adding_up_to_N_B()
    {
        var scores = HeadScores.Create(2, 2, [1e308, -1e308, 0, 1]);
        var context = new BudgetContext(PromptLength: 4096, Layers: 2, KvHeads: 2, MeanBudget: 128, Window: 8);
        var budgets = new CoKvPolicy(scores).Allocate(context);
        Assert.All(budgets, b => Assert.InRange(b, 8, 4096));
        Assert.Equal(4 * 128, budgets.Sum());
        // k = 1 head (the −1e308 one) keeps only the window; CC' = v − t is 2e308 : 0 : 1e308 : 1e308 (+1), so the
        // 4·120 tokens beyond the windows split 2 : 0 : 1 : 1.
        Assert.Equal([8 + 240, 8, 8 + 120, 8 + 120], budgets);
    }

    [Fact]
    public void Safetensors_with_overlapping_or_aliased_offsets_are_refused()
    {
        var dir = TestPaths.TempDir("hostile-st");
        var overlap = Path.Combine(dir, "overlap.safetensors");
        Edits.Safetensors(overlap, Encoding.UTF8.GetBytes("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"""), 12);
        Refused(() => CoKv.SafeTensors.SafetensorsFile.Open(overlap).Dispose(), overlap, "tensors 'a' (bytes 0..8) and 'b' (bytes 4..12) overlap");
        var alias = Path.Combine(dir, "alias.safetensors");
        Edits.Safetensors(alias, Encoding.UTF8.GetBytes("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"""), 8);
        Refused(() => CoKv.SafeTensors.SafetensorsFile.Open(alias).Dispose(), alias, "overlap");
    }

    [Fact]
    public void Safetensors_with_a_tensor_named_twice_is_refused()
    {
        var path = Path.Combine(TestPaths.TempDir("hostile-st"), "twice.safetensors");
        Edits.Safetensors(path, Encoding.UTF8.GetBytes("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"""), 8);
        Refused(() => CoKv.SafeTensors.SafetensorsFile.Open(path).Dispose(), path, "tensor 'a' appears twice");
    }

    [Fact]
    public void Gguf_tensors_whose_data_overlap_are_refused()
    {
        var original = Stories;
        var fields = FieldMaps.Gguf(original);
        var offsets = fields.Where(f => f.Label.EndsWith(" offset", StringComparison.Ordinal)).ToList();
        long firstOffset = BitConverter.ToInt64(original, (int)offsets[0].Offset);
        var path = Write("alias.gguf", Edits.Gguf(original, offsets[1].Label, firstOffset));
        Refused(() => GgufFile.Open(path).Dispose(), path, "overlap");
    }
}
