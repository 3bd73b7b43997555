using System.CommandLine;
using CoKv.Chat;
using CoKv.Models;

namespace CoKv.Cli.Commands;

/// <summary><c>cokv inspect</c>: what a model file holds, read without loading the weights into a decoder.</summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var model = ModelPathOption.Create();
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer file for llama2.c checkpoints." };
        var profile = new Option<string?>("--profile") { Description = "Show a budget profile instead: the budgets it gives each (layer, KV head)." };
        var budget = new Option<int>("--budget") { Description = "Mean tokens per KV head for --profile.", DefaultValueFactory = _ => 64 };
        var png = new Option<string?>("--png") { Description = "With --profile: write the budgets as a layer x head heatmap here." };
        var command = new Command("inspect", "Print a model's architecture, shape, storage types, tokenizer and fingerprint, or a profile's budgets.")
            { model, tokenizer, profile, budget, png };
        command.SetAction(parse => CommandErrors.Guard(() =>
        {
            if (parse.GetValue(profile) is { } profilePath)
                return ProfileInspectCommand.Show(profilePath, parse.GetValue(budget), promptLength: 2048, window: null, parse.GetValue(png));
            var path = ModelPathOption.Resolve(parse.GetValue(model));
            // A GGUF's header is shown first and whatever its types: a file we cannot load is still described.
            bool gguf = InspectGguf.IsGguf(path);
            if (gguf && !InspectGguf.PrintHeader(path)) return 0;
            using var bundle = ModelFiles.Open(path, parse.GetValue(tokenizer));
            var c = bundle.Config;
            var stored = bundle.Weights.Tensors
                .GroupBy(t => t.StoredType)
                .OrderByDescending(g => g.Sum(t => t.ElementCount))
                .Select(g => $"{g.Key} ({g.Count()} tensors, {g.Sum(t => t.ElementCount):N0} values)");
            var rows = new (string, string?)[]
            {
                ("path", gguf ? null : bundle.Path),
                ("format", bundle.Format),
                ("architecture", c.Architecture),
                ("layers", c.LayerCount.ToString()),
                ("hidden size", c.HiddenSize.ToString()),
                ("FFN size", c.IntermediateSize.ToString()),
                ("query heads", c.HeadCount.ToString()),
                ("KV heads", $"{c.KvHeadCount} ({c.QueriesPerKvHead} query heads each)"),
                ("head dim", c.HeadDim.ToString()),
                ("context length", c.MaxContext.ToString()),
                ("vocabulary", c.VocabSize.ToString()),
                ("RoPE", $"theta {c.RopeTheta}" + (c.RopeScaling is { } s ? $", llama3 scaling ×{s.Factor}" : "")
                         + (bundle.Weights.Contains("rope_freqs") ? ", frequency factors stored" : "")),
                ("extras", string.Join(", ", new[] { c.AttentionBias ? "q/k/v bias" : null, c.QkNorm ? "q/k norm" : null, c.TiedEmbeddings ? "tied classifier" : "untied classifier" }.OfType<string>())),
                ("stored as", gguf ? null : string.Join("; ", stored)),
                ("parameters", c.ParameterCount().ToString("N0")),
                ("tokenizer", $"{bundle.Tokenizer.Kind}, {bundle.Tokenizer.VocabSize} tokens, BOS {bundle.Tokenizer.BosId?.ToString() ?? "none"}, EOS {bundle.Tokenizer.EosId?.ToString() ?? "none"}"),
                ("chat template", ChatTemplates.Detect(bundle.ChatTemplate) + (bundle.ChatTemplate is null ? " (none in the file)" : "")),
                ("fingerprint", ModelFingerprint.Compute(c, bundle.Weights)),
            };
            foreach (var (name, value) in rows)
                if (value != null) Console.WriteLine(InspectGguf.Row(name, value));
            return 0;
        }));
        return command;
    }
}
