using System.Diagnostics;
using System.Globalization;
using CoKv.Compression;
using CoKv.Datasets;
using CoKv.Profiles;

namespace CoKv.Profiling;

/// <summary>One line of an evaluation: a policy at a mean budget on the samples of one task type.</summary>
public sealed record EvalRow(string Policy, int Budget, string TaskType, double Score, double FullScore, int N)
{
    /// <summary>The score as a share of the full cache's on the same samples (NaN when the full cache scores 0).</summary>
    public double PercentOfFull => FullScore > 0 ? 100 * Score / FullScore : double.NaN;
}

/// <summary>What one policy at one budget answered to one sample, and its score: the material for reading failures.</summary>
public sealed record EvalAnswer(string SampleId, string TaskType, string Policy, int Budget, string Answer, IReadOnlyList<string> References, double Score);

/// <summary>The prompt positions each KV head kept (row-major: layer · kvHeads + head) when one policy at one budget
/// compressed one sample's prompt: the material for reading which facts a policy drops, and where.</summary>
public sealed record EvalKept(string SampleId, string TaskType, string Policy, int Budget, int[] Prompt, IReadOnlyList<string> Facts, IReadOnlyList<long[]> Positions);

/// <summary>Progress of an evaluation: samples done, and the time spent.</summary>
public sealed record EvalProgress(int SamplesDone, int SamplesTotal, TimeSpan Elapsed);

/// <summary>
/// Scores budget policies the way a request runs: each sample is prefilled once (full cache, observation window
/// kept, and the look-ahead's queries where SnapKV's options ask for one), then for every policy and budget compressed by the policy's <see cref="HeadBudgetCompressor"/> (<see cref="BudgetPolicies.Compressor"/>) and answered greedily; the
/// answer is scored by the dataset's metric. Profile policies (cokv, baklava) take the profile of the sample's task type.
/// <see cref="Engines"/> adds rows from other engines (e.g. llama.cpp's full cache) answering the same prompt tokens.
/// </summary>
public sealed class PolicyEvaluator(ProfilingModel model, SnapKvOptions? snapKv = null)
{
    readonly SnapKvOptions _snapKv = snapKv ?? new SnapKvOptions();

    public ProfilingModel Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    /// <summary>
    /// Other engines, by the policy name that selects them: each answers a sample's prompt tokens greedily (the
    /// engine is handed the prompt, the token limit and the stop ids), once per sample like the full cache, and its
    /// score is listed at every budget so it reads as a reference line. The answer is decoded by this model's tokenizer.
    /// </summary>
    public IReadOnlyDictionary<string, ReferenceEngine> Engines { get; init; } = new Dictionary<string, ReferenceEngine>();

    /// <summary>Each policy's one knob (<see cref="BudgetPolicies.Create"/>'s parameter: cokv's zero-budget fraction,
    /// pyramid's β, ...), by policy name; a policy not listed keeps its default (baklava: its profile's strength).</summary>
    public IReadOnlyDictionary<string, double> PolicyParameters { get; init; } = new Dictionary<string, double>();

    /// <param name="profileFor">(task type, method) → the profile, or null when there is none; a profile policy then
    /// fails with a clear message before any work.</param>
    /// <param name="answers">Called with every answer as it is scored (the full cache's once per sample).</param>
    public IReadOnlyList<EvalRow> Run(IReadOnlyList<TaskSample> samples, IReadOnlyList<string> policies, IReadOnlyList<int> budgets,
        Func<string, string, BudgetProfile?> profileFor, IProgress<EvalProgress>? progress = null, CancellationToken ct = default,
        Action<EvalAnswer>? answers = null, Action<EvalKept>? kept = null)
    {
        var names = policies.Select(p => p.Trim().ToLowerInvariant()).ToArray();
        foreach (var n in names.Where(n => !Engines.ContainsKey(n))) BudgetPolicies.Find(n); // unknown names fail here
        var taskTypes = samples.Select(s => s.Category).Distinct().ToArray();
        var profiles = new Dictionary<(string, string), BudgetProfile>();
        foreach (var method in names.Where(n => n is ProfileMethods.Cokv or ProfileMethods.Baklava))
            foreach (var type in taskTypes)
                profiles[(type, method)] = profileFor(type, method)
                    ?? throw new InvalidOperationException($"No '{method}' profile for task type '{type}' of this model: run `cokv profile --task-type {type} --method {method}` first, or leave '{method}' out of --policies.");

        var clock = Stopwatch.StartNew();
        var scores = new Dictionary<(string Policy, int Budget, string Type), List<double>>();
        var full = new Dictionary<string, List<double>>();
        for (int i = 0; i < samples.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var sample = samples[i];
            var prepared = PreparedSample.From(sample, Model);
            using var prefilled = PrefilledSample.Run(Model.Decoder, prepared, _snapKv.Window + _snapKv.Lookahead, ct: ct,
                queryStride: _snapKv.PromptQueryWeight > 0 ? _snapKv.PromptQueryStride : 0, lookahead: _snapKv.Lookahead, stopIds: Model.Tokenizer.StopIds);
            double Scored(string policy, int budget, HeadBudgetCompressor compressor)
            {
                var (text, score) = Answer(prefilled, compressor, ct, kept is null ? null : positions =>
                    kept(new EvalKept(sample.Id, sample.Category, policy, budget, prepared.Prompt, sample.AllClasses ?? sample.Answers, positions)));
                answers?.Invoke(new EvalAnswer(sample.Id, sample.Category, policy, budget, text, sample.AllClasses ?? sample.Answers, score));
                return score;
            }
            double fullScore = Scored(BudgetPolicies.Full, prepared.Prompt.Length, Compressor(BudgetPolicies.Full, prepared.Prompt.Length, prepared, null));
            (full.TryGetValue(sample.Category, out var f) ? f : full[sample.Category] = []).Add(fullScore);
            var engineScores = names.Where(Engines.ContainsKey).Distinct().ToDictionary(n => n, n =>
            {
                var text = Model.Tokenizer.Decode(Engines[n](prepared.Prompt, prepared.MaxNewTokens, Model.Tokenizer.StopIds));
                double score = prepared.Score(text);
                answers?.Invoke(new EvalAnswer(sample.Id, sample.Category, n, prepared.Prompt.Length, text, sample.AllClasses ?? sample.Answers, score));
                return score;
            });
            foreach (var name in names)
                foreach (var budget in budgets)
                {
                    double score = name == "full" ? fullScore
                        : engineScores.TryGetValue(name, out var engineScore) ? engineScore
                        : Scored(name, budget, MakeCompressor(name, budget, prepared, sample.Category, profiles));
                    var key = (name, budget, sample.Category);
                    (scores.TryGetValue(key, out var list) ? list : scores[key] = []).Add(score);
                }
            progress?.Report(new EvalProgress(i + 1, samples.Count, clock.Elapsed));
        }
        return scores.Select(kv => new EvalRow(kv.Key.Policy, kv.Key.Budget, kv.Key.Type, kv.Value.Average(), full[kv.Key.Type].Average(), kv.Value.Count))
            .OrderBy(r => r.TaskType, StringComparer.Ordinal).ThenBy(r => Array.IndexOf(names, r.Policy)).ThenBy(r => r.Budget).ToArray();
    }

    HeadBudgetCompressor MakeCompressor(string name, int budget, PreparedSample sample, string taskType, Dictionary<(string, string), BudgetProfile> profiles)
    {
        double? knob = PolicyParameters.TryGetValue(name, out var k) ? k : null;
        if (name == ProfileMethods.Cokv) return Compressor(name, budget, sample, profiles[(taskType, name)].Scores, knob);
        if (name == ProfileMethods.Baklava)
        {
            var profile = profiles[(taskType, name)];
            double? strength = knob ?? (profile.Parameters.Extra?.TryGetValue(BaKlaVaProfiler.StrengthKey, out var s) == true
                ? double.Parse(s, CultureInfo.InvariantCulture) : null);
            return Compressor(name, budget, sample, profile.Scores, strength);
        }
        return Compressor(name, budget, sample, null, knob);
    }

    HeadBudgetCompressor Compressor(string name, int budget, PreparedSample sample, HeadScores? profile, double? parameter = null) =>
        BudgetPolicies.Compressor(name, budget, profile, parameter, _snapKv, reserve: sample.MaxNewTokens);

    (string Text, double Score) Answer(PrefilledSample prefilled, HeadBudgetCompressor compressor, CancellationToken ct, Action<IReadOnlyList<long[]>>? kept = null)
    {
        var sample = prefilled.Sample;
        using var cache = compressor.Compress(prefilled.Cache).Cache;
        if (kept is not null && cache is CoKv.Cache.HeadBudgetedKvCache budgeted)
            kept(Enumerable.Range(0, budgeted.LayerCount * budgeted.KvHeadCount)
                .Select(i => budgeted.KeptPositions(i / budgeted.KvHeadCount, i % budgeted.KvHeadCount).ToArray()).ToArray());
        var tokens = Continuation.Greedy(Model.Decoder, prefilled, cache, sample.MaxNewTokens, Model.Tokenizer.StopIds, ct);
        var text = Model.Tokenizer.Decode(tokens);
        return (text, sample.Score(text));
    }
}
