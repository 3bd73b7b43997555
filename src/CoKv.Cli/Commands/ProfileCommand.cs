using System.CommandLine;
using CoKv.Profiles;
using CoKv.Profiling;
using CoKv.Generation;
using CoKv.Shapley;

namespace CoKv.Cli.Commands;

/// <summary>
/// <c>cokv profile</c>: builds a budget profile (CoKV Sliced Shapley values or BaKlaVa importances) for one task type
/// and writes it to the profile store; <c>cokv profile merge</c> joins the shards of an array job.
/// </summary>
public static class ProfileCommand
{
    public static Command Create()
    {
        var model = ModelPathOption.Create();
        var taskType = new Option<string?>("--task-type") { Description = "The task type the profile is for (e.g. single-needle, single-doc-qa)." };
        var data = new Option<string?>("--data") { Description = "A JSONL file of task samples (LongBench format); its 15% validation split is used." };
        var synthetic = new Option<string?>("--synthetic") { Description = $"A built-in generator: {string.Join(", ", ProfileData.SyntheticKinds)}." };
        var method = new Option<string>("--method") { Description = "cokv (Sliced Shapley) or baklava.", DefaultValueFactory = _ => ProfileMethods.Cokv };
        var sizes = new Option<string?>("--sizes") { Description = "Coalition sizes H, comma-separated (default N/8, N/4, 3N/8, N/2)." };
        var samples = new Option<int>("--samples") { Description = "M: draws per sampled coalition size (128: where the default model's profiles converged).", DefaultValueFactory = _ => ProfileBuildRequest.DefaultSamplesPerSize };
        var utility = new Option<string>("--utility") { Description = "metric (greedy answers, exact), loglik (gold answer log-likelihood, cheaper) or loglik-norm (the same, each sample scaled to 0 at the window only and 1 at the full cache).", DefaultValueFactory = _ => ProfileUtilities.LogLikelihood };
        var design = new Option<string>("--design") { Description = "Coalition draws: stratified (enumerate the sizes M covers, balance the others) or independent (CoKV's).", DefaultValueFactory = _ => ShapleyCheckpoint.DesignName(ProfileBuildRequest.DefaultDesign) };
        var controlVariate = new Option<bool>("--control-variate") { Description = "Correct sampled sizes with a cross-fitted additive control variate.", DefaultValueFactory = _ => ProfileBuildRequest.DefaultControlVariate };
        var seed = new Option<int>("--seed") { Description = "Seed of the coalition draws.", DefaultValueFactory = _ => 1 };
        var secondSeed = new Option<int?>("--second-seed") { Description = "Run again with this seed: the profile averages both and records their MAE (convergence)." };
        var shard = new Option<string?>("--shard") { Description = "i/n: evaluate only this shard's draws (merge with `cokv profile merge`)." };
        var length = new Option<int>("--length") { Description = "Tokens per synthetic sample.", DefaultValueFactory = _ => 1024 };
        var count = new Option<int>("--count") { Description = "Synthetic samples to profile on.", DefaultValueFactory = _ => 8 };
        var window = new Option<int>("--window") { Description = "w: tokens every head keeps (observation window).", DefaultValueFactory = _ => 8 };
        var threads = new Option<int>("--threads") { Description = "CPU threads.", DefaultValueFactory = _ => 2 };
        var output = new Option<string>("--out") { Description = "Profile store folder (checkpoints go to its checkpoints/ subfolder).", DefaultValueFactory = _ => "profiles" };

        var command = new Command("profile", "Build a budget profile for one task type of a model.")
        {
            model, taskType, data, synthetic, method, sizes, samples, utility, seed, secondSeed, shard, length, count, window, threads, output, design, controlVariate, CreateMerge(),
        };
        command.SetAction((parse, ct) => ProfileCommandSupport.Guard(async () =>
        {
            var type = parse.GetValue(taskType) ?? throw new ArgumentException("--task-type is required.");
            OptionRules.ThrowIfAny(
                OptionRules.SamplesPerSize("--samples", parse.GetValue(samples)),
                OptionRules.CoalitionDesign("--design", parse.GetValue(design)),
                OptionRules.ProfileUtility("--utility", parse.GetValue(utility)),
                OptionRules.Window("--window", parse.GetValue(window)));
            var store = new ProfileStore(parse.GetValue(output)!);
            var request = new ProfileBuildRequest
            {
                TaskType = type,
                Data = ProfileCommandSupport.Source(parse.GetValue(data), parse.GetValue(synthetic), parse.GetValue(length), parse.GetValue(count)),
                Method = parse.GetValue(method)!,
                CoalitionSizes = IntList.Parse(parse.GetValue(sizes), "--sizes"),
                SamplesPerSize = parse.GetValue(samples),
                Utility = parse.GetValue(utility)!,
                Seed = parse.GetValue(seed),
                SecondSeed = parse.GetValue(secondSeed),
                Window = parse.GetValue(window),
                Design = CoKv.Shapley.ShapleyCheckpoint.ParseDesign(parse.GetValue(design)!),
                ControlVariate = parse.GetValue(controlVariate),
                CheckpointDirectory = Path.Combine(store.Directory, "checkpoints"),
            };
            using var local = ProfileCommandSupport.LoadModel(parse.GetValue(model), parse.GetValue(threads));
            var profiling = ProfilingModel.From(local);
            var what = $"{type} {request.Method}";
            var clock = ProfileCommandSupport.Clock();

            if (parse.GetValue(shard) is { } shardText)
            {
                if (request.Method != ProfileMethods.Cokv) throw new ArgumentException("--shard applies to --method cokv only.");
                var outcome = await CliProgress.Run(what, bar =>
                    new ShapleyProfileBuilder(profiling).RunShardAsync(request, ShardSpec.Parse(shardText), ProfileCommandSupport.Progress(bar), ct));
                Console.WriteLine($"shard {shardText}: {outcome.DrawsDone}/{outcome.DrawsTotal} draws in {clock.Elapsed.TotalSeconds:F0} s, checkpoints in {outcome.Directory}");
                Console.WriteLine($"when every shard is done: cokv profile merge {store.Directory}");
                return 0;
            }

            var profile = await CliProgress.Run(what, bar => new ProfileBuilder(profiling).BuildAsync(request, ProfileCommandSupport.Progress(bar), ct));
            var path = store.Save(profile);
            Console.WriteLine($"{profile.Method} profile for '{profile.TaskType}' ({profile.Scores.Layers} layers x {profile.Scores.KvHeads} KV heads, {profile.Provenance.SampleCount} samples) in {clock.Elapsed.TotalSeconds:F1} s: {path}");
            if (profile.Provenance.ConvergenceMae is { } mae)
            {
                Console.WriteLine($"convergence: MAE between seeds {mae:G4} vs 1/N = {1.0 / profile.Scores.Count:G4} ({(mae < 1.0 / profile.Scores.Count ? "converged" : "not converged")})");
                if (profile.Parameters.Extra is { } x && x.TryGetValue("u_all", out var all) && x.TryGetValue("u_none", out var none))
                {
                    double span = double.Parse(all, System.Globalization.CultureInfo.InvariantCulture) - double.Parse(none, System.Globalization.CultureInfo.InvariantCulture);
                    Console.WriteLine($"U(all heads) = {all}, U(window only) = {none}: MAE / (U(all) − U(none)) = {mae / span:G3}");
                if (profile.Parameters.Extra is { } e && e.TryGetValue("spearman_between_seeds", out var rho))
                    Console.WriteLine($"Spearman between seeds {double.Parse(rho, System.Globalization.CultureInfo.InvariantCulture):F3}; {e.GetValueOrDefault("evaluations_per_seed")} utility evaluations per seed");
                }
            }
            if (profile.Parameters.Extra?.TryGetValue(BaKlaVaProfiler.StrengthKey, out var strength) == true)
                Console.WriteLine($"redistribution strength {strength} (held-out loss per strength: {profile.Parameters.Extra["losses"]})");
            return 0;
        }));
        return command;
    }

    static Command CreateMerge()
    {
        var dirs = new Argument<string[]>("dirs") { Description = "Profile store folders (or checkpoint folders) holding the shards' checkpoints.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--out") { Description = "Profile store to write the merged profiles to (default: the first folder)." };
        var merge = new Command("merge", "Merge the checkpoints of `cokv profile --shard i/n` runs into profiles.") { dirs, output };
        merge.SetAction(parse => ProfileCommandSupport.Guard(() =>
        {
            var folders = parse.GetValue(dirs)!;
            var store = new ProfileStore(parse.GetValue(output) ?? folders[0]);
            foreach (var profile in ShapleyProfileBuilder.MergeDirectories(folders))
            {
                var path = store.Save(profile);
                var mae = profile.Provenance.ConvergenceMae is { } m ? $", MAE between seeds {m:G4}" : "";
                Console.WriteLine($"merged '{profile.TaskType}' ({profile.Parameters.SamplesPerSize} draws per size{mae}): {path}");
            }
            return Task.FromResult(0);
        }));
        return merge;
    }
}
