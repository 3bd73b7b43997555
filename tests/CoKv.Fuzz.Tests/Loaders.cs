using CoKv.Compression;
using CoKv.HuggingFace;
using CoKv.Decoding;
using CoKv.Models;
using CoKv.Profiles;
using CoKv.Tokenization;

namespace CoKv.Fuzz.Tests;

/// <summary>What each fuzz case does with a file: everything a user's load does, and a little use of the result.</summary>
static class Loaders
{
    /// <summary>Opens the model (header, config, weights index, tokenizer), uses the tokenizer, builds the decoder from the weights.</summary>
    public static void Model(string path, string? tokenizerPath = null)
    {
        using var bundle = ModelFiles.Open(path, tokenizerPath);
        Tokenizer(bundle.Tokenizer);
        if (Directory.Exists(path))
        {
            _ = HfGenerationInfo.Read(path);
            _ = TokenizerFactory.ChatTemplateFromHuggingFaceFolder(path);
        }
        using var decoder = DecoderLoader.Load(bundle.Config, bundle.Weights);
    }

    /// <summary>Every token decoded (the whole piece table is built), a text with specials and non-ASCII encoded and decoded.</summary>
    public static void Tokenizer(ITokenizer tokenizer)
    {
        _ = tokenizer.Decode(Enumerable.Range(0, Math.Min(tokenizer.VocabSize, 70_000)));
        var ids = tokenizer.Encode("Once upon a time, the 3 cats <s> héllo <|endoftext|> 日本 \n\t end", addBos: true);
        _ = tokenizer.Decode(ids);
    }

    /// <summary>Loads a profile, lists the folder, and allocates budgets with both profile policies at several budgets.</summary>
    public static void Profile(string path)
    {
        var store = new ProfileStore(Path.GetDirectoryName(path)!);
        var profile = store.Load(path);
        _ = store.List();
        var scores = profile.Scores;
        foreach (var name in new[] { "cokv", "baklava" })
        {
            var policy = BudgetPolicies.Create(name, scores);
            var context = new BudgetContext(PromptLength: 4096, scores.Layers, scores.KvHeads, MeanBudget: 256, Window: 8);
            var budgets = policy.Allocate(context);
            if (budgets.Any(b => b < context.Window) || budgets.Sum(b => (long)b) != (long)context.Players * context.MeanBudget)
                throw new InvalidOperationException($"{name} gave budgets outside the rules: [{string.Join(", ", budgets.Take(16))}…]");
        }
    }
}
