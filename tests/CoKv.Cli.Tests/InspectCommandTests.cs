using CoKv.Generation;

namespace CoKv.Cli.Tests;

public class InspectCommandTests
{
    /// <summary>The "name  value" lines inspect prints, by name.</summary>
    static Dictionary<string, string> Fields(CliRun run) => run.Lines
        .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^(\S.*?)\s{2,}(.*)$"))
        .Where(m => m.Success)
        .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim());

    [Fact]
    public async Task Stories260K_is_described_the_same_from_the_gguf_and_the_llama2c_checkpoint()
    {
        var gguf = Fields((await Cli.Run("inspect", "--model", TinyModels.Stories260KGguf)).Succeeded());
        var bin = Fields((await Cli.Run("inspect", "--model", TinyModels.Stories260KBin)).Succeeded());

        // The shape ../shared/models/README.md gives: dim 64, hidden 172, 5 layers, 8 query / 4 KV heads, vocab 512, context 512.
        foreach (var fields in new[] { gguf, bin })
        {
            Assert.Equal("llama", fields["architecture"]);
            Assert.Equal("5", fields["layers"]);
            Assert.Equal("64", fields["hidden size"]);
            Assert.Equal("172", fields["FFN size"]);
            Assert.Equal("8", fields["query heads"]);
            Assert.Equal("4 (2 query heads each)", fields["KV heads"]);
            Assert.Equal("8", fields["head dim"]);
            Assert.Equal("512", fields["context length"]);
            Assert.Equal("512", fields["vocabulary"]);
            Assert.StartsWith("Plain", fields["chat template"]);
        }
        Assert.Equal("gguf", gguf["format"]);
        Assert.Equal("llama2c", bin["format"]);
        // Same weights in two formats: one fingerprint, and the one the engine keys profiles by.
        Assert.Equal(gguf["fingerprint"], bin["fingerprint"]);
        using var model = LocalModel.Load(TinyModels.Stories260KGguf);
        Assert.Equal(model.Fingerprint, gguf["fingerprint"]);
        // llama2.c ties the classifier: 512·64 embedding + 5 × (4 attention matrices 64·64, 64·32, 64·32, 64·64
        // + 3 FFN matrices 64·172 + 2 norms of 64) + the final norm.
        Assert.Equal((512 * 64 + 5 * (2 * 64 * 64 + 2 * 64 * 32 + 3 * 64 * 172 + 2 * 64) + 64).ToString("N0"), bin["parameters"]);
    }

    [Fact]
    public async Task Default_model_reports_its_compact_chat_template_and_tokenizer()
    {
        var fields = Fields((await Cli.Run("inspect", "--model", TinyModels.Default)).Succeeded());
        using var model = LocalModel.Load(TinyModels.Default);
        Assert.Equal("Compact", fields["chat template"]);
        Assert.Equal(model.Fingerprint, fields["fingerprint"]);
        Assert.Equal($"{model.Config.LayerCount}", fields["layers"]);
        Assert.Equal($"{model.Config.KvHeadCount} ({model.Config.HeadCount / model.Config.KvHeadCount} query heads each)", fields["KV heads"]);
        Assert.StartsWith($"spm, {model.Tokenizer.VocabSize} tokens, BOS {model.Tokenizer.BosId}, EOS {model.Tokenizer.EosId}", fields["tokenizer"]);
    }

    [Fact]
    public async Task A_missing_model_is_one_line_and_exit_code_1()
    {
        var run = await Cli.Run("inspect", "--model", "/nonexistent/model.gguf");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("cokv: ", run.Error);
        Assert.Contains("/nonexistent/model.gguf", run.Error);
    }
}
