using System.CommandLine;
using System.Globalization;
using CoKv.Compression;
using CoKv.Plotting;
using CoKv.Profiles;
using CoKv.Profiling;

namespace CoKv.Cli.Commands;

/// <summary>
/// <c>cokv inspect --profile FILE</c> (also <c>cokv inspect-profile</c>): the budgets a profile gives every (layer, KV
/// head) at a mean budget, as a table and a heatmap. It needs no model, only the profile.
/// </summary>
public static class ProfileInspectCommand
{
    public static Command Create()
    {
        var profile = new Option<string>("--profile") { Description = "A profile JSON file.", Required = true };
        var budget = new Option<int>("--budget") { Description = "Mean tokens per KV head B.", DefaultValueFactory = _ => 64 };
        var promptLength = new Option<int>("--prompt-length") { Description = "Prompt length the budgets are for (a head keeps at most all of it).", DefaultValueFactory = _ => 2048 };
        var window = new Option<int?>("--window") { Description = "Observation window w (default: the profile's)." };
        var png = new Option<string?>("--png") { Description = "Write the budgets as a layer x head heatmap here." };
        var command = new Command("inspect-profile", "Show the per-head budgets a profile gives at a mean budget.") { profile, budget, promptLength, window, png };
        command.SetAction(parse => ProfileCommandSupport.Guard(() =>
            Task.FromResult(Show(parse.GetValue(profile)!, parse.GetValue(budget), parse.GetValue(promptLength), parse.GetValue(window), parse.GetValue(png)))));
        return command;
    }

    /// <summary>Prints the budgets a profile gives at mean budget <paramref name="b"/> (and a heatmap); also
    /// <c>cokv inspect --profile</c>.</summary>
    public static int Show(string path, int b, int promptLength, int? window, string? pngPath)
    {
        var p = ProfileStore.Deserialize(File.ReadAllText(path), path);
        int w = window ?? p.Parameters.Window ?? 8;
        var policy = PolicyFor(p);
        var budgets = policy.Allocate(new BudgetContext(promptLength, p.Scores.Layers, p.Scores.KvHeads, b, w));
        Console.WriteLine($"{p.Method} profile '{p.TaskType}' for model {p.ModelFingerprint[..Math.Min(16, p.ModelFingerprint.Length)]}…, " +
                          $"{p.Provenance.SampleCount} samples, seeds [{string.Join(",", p.Parameters.Seeds)}]" +
                          (p.Provenance.ConvergenceMae is { } mae ? $", MAE between seeds {mae:G4} (1/N = {1.0 / p.Scores.Count:G4})" : ""));
        Console.WriteLine($"budgets at B = {b}, w = {w} (scores in brackets):");
        for (int l = 0; l < p.Scores.Layers; l++)
            Console.WriteLine($"layer {l,2}: " + string.Join("  ", Enumerable.Range(0, p.Scores.KvHeads)
                .Select(h => $"{budgets[l * p.Scores.KvHeads + h],5} [{p.Scores[l, h].ToString("G3", CultureInfo.InvariantCulture),8}]")));
        if (pngPath is not null)
        {
            var cells = new double[p.Scores.Layers, p.Scores.KvHeads];
            for (int l = 0; l < p.Scores.Layers; l++)
                for (int h = 0; h < p.Scores.KvHeads; h++) cells[l, h] = budgets[l * p.Scores.KvHeads + h];
            var full = Path.GetFullPath(pngPath);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            new Heatmap(cells) { Title = $"{p.Method} budgets, {p.TaskType}, B = {b}", ColorBarLabel = "tokens", ValueFormat = v => v.ToString("F0", CultureInfo.InvariantCulture) }.Save(full);
            Console.WriteLine($"PNG: {pngPath}");
        }
        return 0;
    }

    static IBudgetPolicy PolicyFor(BudgetProfile p) => p.Method switch
    {
        ProfileMethods.Baklava => BudgetPolicies.Create("baklava", p.Scores,
            p.Parameters.Extra?.TryGetValue(BaKlaVaProfiler.StrengthKey, out var s) == true ? double.Parse(s, CultureInfo.InvariantCulture) : null),
        _ => BudgetPolicies.Create("cokv", p.Scores),
    };
}
