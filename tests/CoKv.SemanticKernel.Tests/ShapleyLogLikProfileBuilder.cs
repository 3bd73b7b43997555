using CoKv.Cache;
using CoKv.Compression;
using CoKv.Generation;
using CoKv.Profiles;
using CoKv.Profiling;
using CoKv.SemanticKernel.Engine;
using CoKv.Shapley;
using static TorchSharp.torch;

namespace CoKv.SemanticKernel.Tests;

/// <summary>
/// A small, real profile builder for the hosted-service tests: Sliced Shapley values (the Evaluation project's
/// estimator, with its checkpoints) over the real model, U(S) = mean log-likelihood of a fixed continuation of a fixed
/// story when the heads in S keep their full cache and the others only the window. The task's data source is not
/// read: the point here is the service's build / stop / resume cycle, not the dataset.
/// </summary>
sealed class ShapleyLogLikProfileBuilder(CoKvModelHost host) : IProfileBuilder
{
    const string Prompt = "Once upon a time, there was a little girl named Lily. She loved to play outside with her dog Max. One day";
    const string Gold = " Lily saw a big red ball in the park.";

    int _evaluations;
    volatile int _drawsDone, _drawsTotal;
    readonly TaskCompletionSource _halfway = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Hold the build once half of its draws are done, until it is cancelled: a test stops it there whatever the
    /// speed of the model (a signal, not a delay per evaluation).
    /// </summary>
    public bool HoldAtHalf { get; init; }
    /// <summary>Completes when a <see cref="HoldAtHalf"/> build holds.</summary>
    public Task Halfway => _halfway.Task;
    /// <summary>Utility evaluations this instance ran (draws restored from a checkpoint cost none).</summary>
    public int Evaluations => _evaluations;

    public async Task<BudgetProfile> BuildAsync(ProfileBuildRequest request, IProgress<ProfileProgress>? progress, CancellationToken cancellation)
    {
        var model = await host.GetModelAsync(cancellation).ConfigureAwait(false);
        var layers = model.Config.LayerCount;
        var heads = model.Config.KvHeadCount;
        var prompt = model.Tokenizer.Encode(Prompt, addBos: true).ToArray();
        var gold = model.Tokenizer.Encode(Gold, addBos: false).ToArray();
        var started = DateTime.UtcNow;
        var utility = new DelegateUtility(coalition =>
        {
            if (HoldAtHalf && _drawsTotal > 0 && _drawsDone >= _drawsTotal / 2)
            {
                _halfway.TrySetResult();
                cancellation.WaitHandle.WaitOne();
                cancellation.ThrowIfCancellationRequested();
            }
            Interlocked.Increment(ref _evaluations);
            return LogLikelihood(model, prompt, gold, FixedBudgetsPolicy.Coalition(layers, heads, coalition), request.Window);
        });
        var result = await SlicedShapleyEstimator.RunAsync(layers * heads, utility, new SlicedShapleyOptions
        {
            CoalitionSizes = request.CoalitionSizes,
            SamplesPerSize = request.SamplesPerSize,
            Seed = request.Seed,
            CheckpointPath = Path.Combine(request.CheckpointDirectory, "ssv.json"),
            CheckpointEvery = 1,
            Tag = $"{model.Fingerprint}/{request.TaskType}/loglik",
            Progress = new Forward(p =>
            {
                (_drawsDone, _drawsTotal) = (p.DrawsDone, p.DrawsTotal);
                progress?.Report(new ProfileProgress(request.TaskType, p.DrawsDone, p.DrawsTotal, DateTime.UtcNow - started));
            }),
        }, cancellation).ConfigureAwait(false);
        return new BudgetProfile
        {
            ModelFingerprint = model.Fingerprint,
            ModelDescription = model.ModelId,
            TaskType = request.TaskType,
            Method = request.Method,
            Scores = result.ToHeadScores(layers, heads),
            Parameters = new ProfileParameters
            {
                CoalitionSizes = result.Sizes.ToArray(), SamplesPerSize = result.SamplesPerSize, Window = request.Window,
                Utility = "gold_log_likelihood", Seeds = [result.Seed],
            },
            Provenance = new ProfileProvenance { SampleCount = 1, Datasets = ["fixed story"] },
        };
    }

    static double LogLikelihood(LocalModel model, int[] prompt, int[] gold, IBudgetPolicy coalition, int window)
    {
        using var session = new InferenceSession(model.Decoder, prompt.Length + gold.Length + 1, window);
        var logits = session.Prefill(prompt);
        try
        {
            var outcome = HeadBudgetCompressor.WithSnapKv(coalition, window, new SnapKvOptions { Window = window }, reserve: gold.Length + 1)
                .Compress((DenseKvCache)session.Cache);
            session.ReplaceCache(outcome.Cache);
            double sum = 0;
            foreach (var token in gold)
            {
                using (NewDisposeScope()) sum += logits.log_softmax(0)[token].item<float>();
                logits.Dispose();
                logits = session.Step(token);
            }
            return sum / gold.Length;
        }
        finally
        {
            logits.Dispose();
        }
    }

    sealed class Forward(Action<ShapleyProgress> report) : IProgress<ShapleyProgress>
    {
        public void Report(ShapleyProgress value) => report(value);
    }
}
