using System.Diagnostics;
using System.Text.Json;
using CoKv.Decoding;
using CoKv.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoKv.Training;

/// <summary>
/// Trains the default model on generated documents (<see cref="TaskCorpus"/>): AdamW, warm-up then cosine decay,
/// a length curriculum, loss weighted toward answers. Every step's data depends only on (seed, step), so a run
/// resumed from a checkpoint continues exactly where it stopped.
/// </summary>
public sealed class Trainer
{
    readonly TrainingOptions _options;
    readonly TextWriter _log;
    readonly TrainingVocabulary _vocab = new();
    readonly TrainingCorpus _corpus;

    public Trainer(TrainingOptions options, TextWriter log)
    {
        _options = options;
        _log = log;
        _corpus = new TrainingCorpus(_vocab);
    }

    public TrainingVocabulary Vocabulary => _vocab;
    public ModelConfig Config => TrainingOptions.DefaultModel(_vocab.Count);

    string CheckpointPath => Path.Combine(_options.OutputDirectory, "checkpoint.weights");
    string OptimizerPath => Path.Combine(_options.OutputDirectory, "checkpoint.optimizer");
    string StatePath => Path.Combine(_options.OutputDirectory, "checkpoint.json");

    /// <param name="stepDone">Called with the number of steps done after each step (and its checkpoint, if due).</param>
    public Decoder Run(CancellationToken cancellation = default, Action<int>? stepDone = null)
    {
        torch.set_num_threads(_options.Threads);
        if (_options.Device.StartsWith("cuda", StringComparison.Ordinal)) torch.InitializeDeviceType(DeviceType.CUDA);
        var device = torch.device(_options.Device);
        Directory.CreateDirectory(_options.OutputDirectory);
        var decoder = new Decoder(Config);
        DecoderInitializer.Initialize(decoder, _options.Seed);
        decoder.to(device);
        var parameters = decoder.parameters().ToList();
        var optimizer = optim.AdamW(parameters, _options.LearningRate, 0.9, 0.95, weight_decay: _options.WeightDecay);
        int step = Resume(decoder, optimizer);
        _log.WriteLine($"train: {Config.ParameterCount():N0} parameters, vocabulary {_vocab.Count}, steps {step}..{_options.Steps}");

        var clock = Stopwatch.StartNew();
        long tokensSinceReport = 0;
        double lossSum = 0;
        int lossCount = 0;
        for (; step < _options.Steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            SetLearningRate(optimizer, step);
            var random = new Random(StableSeed.Of(_options.Seed, step));
            int length = TrainingOptions.LengthAt((double)step / _options.Steps, random);
            var batch = Enumerable.Range(0, Math.Max(1, _options.TokensPerStep / length))
                .Select(_ => _corpus.Generate(TrainingOptions.TaskAt((double)step / _options.Steps, random), length, random)).ToArray();
            using (var scope = NewDisposeScope())
            {
                decoder.train();
                optimizer.zero_grad();
                var loss = WeightedLoss(decoder, batch, device, random);
                loss.backward();
                nn.utils.clip_grad_norm_(parameters, 1.0);
                optimizer.step();
                lossSum += loss.item<float>();
                lossCount++;
            }
            tokensSinceReport += batch.Length * length;

            if ((step + 1) % 25 == 0)
            {
                double seconds = clock.Elapsed.TotalSeconds;
                _log.WriteLine($"step {step + 1}/{_options.Steps}  T {length}  loss {lossSum / lossCount:F4}  {tokensSinceReport / seconds:F0} tok/s");
                clock.Restart();
                tokensSinceReport = 0;
                lossSum = 0;
                lossCount = 0;
            }
            if ((step + 1) % _options.CheckpointEvery == 0 || step + 1 == _options.Steps)
                SaveCheckpoint(decoder, optimizer, step + 1);
            if ((step + 1) % _options.EvaluateEvery == 0 || step + 1 == _options.Steps)
            {
                var report = Evaluate(decoder, [Math.Min(2048, TrainingOptions.LengthAt((double)step / _options.Steps, new Random(0)))], _options.EvaluationSamples);
                _log.WriteLine($"eval @ step {step + 1}: {report}");
                clock.Restart();
            }
            stepDone?.Invoke(step + 1);
        }
        decoder.eval();
        return decoder;
    }

    /// <summary>Weights of the in-document recalls and of the plain text, relative to the answers.</summary>
    const double RecallLossShare = 0.5, ContextLossShare = 0.2;

    /// <summary>The share of plain-text positions the loss reads: the output layer over the vocabulary costs as much
    /// as the rest of this small model, and the text is easy, so a sample of it teaches as much.</summary>
    const double ContextSampled = 0.25;

    /// <summary>
    /// Mean loss over the answers, plus the recalls' and the text's means scaled down. Each role is averaged apart,
    /// so a few answer tokens weigh the same in a 2,048-token document as in a 128-token one instead of vanishing
    /// beside the text.
    /// </summary>
    static Tensor WeightedLoss(Decoder decoder, TrainingSample[] batch, Device device, Random random)
    {
        int length = batch[0].Tokens.Length;
        var positions = new List<long>();
        var targets = new List<long>();
        var roles = new List<int>();
        for (int b = 0; b < batch.Length; b++)
            for (int t = 1; t < length; t++)
            {
                var kind = batch[b].Roles[t];
                if (kind == TokenRole.Context && random.NextDouble() >= ContextSampled) continue;
                positions.Add((long)b * (length - 1) + t - 1);
                targets.Add(batch[b].Tokens[t]);
                roles.Add((int)kind);
            }
        var tokens = tensor(batch.SelectMany(s => s.Tokens).Select(t => (long)t).ToArray(), device: device).view(batch.Length, length);
        var hidden = decoder.Hidden(tokens.narrow(1, 0, length - 1), 0, null);
        var picked = hidden.reshape(-1, hidden.shape[^1]).index_select(0, tensor(positions.ToArray(), device: device));
        var perToken = nn.functional.cross_entropy(decoder.Logits(picked), tensor(targets.ToArray(), device: device), reduction: nn.Reduction.None);
        var role = tensor(roles.ToArray(), device: device);
        Tensor Mean(TokenRole r)
        {
            var mask = role.eq((int)r).to(ScalarType.Float32);
            return (perToken * mask).sum() / mask.sum().clamp_min(1);
        }
        return Mean(TokenRole.Answer) + RecallLossShare * Mean(TokenRole.Recall) + ContextLossShare * Mean(TokenRole.Context);
    }

    /// <summary>
    /// Held-out exact match per task: the answer is right when the model's argmax is the gold token at every answer
    /// position, which is exactly when greedy decoding would write the gold answer.
    /// </summary>
    public TrainingEvaluation Evaluate(Decoder decoder, int[] lengths, int samplesPerTask)
    {
        decoder.eval();
        using var noGrad = no_grad();
        var results = new List<(TrainingTask, int, double, double?)>();
        foreach (var length in lengths)
            foreach (var task in Enum.GetValues<TrainingTask>())
            {
                // Evaluation seeds are negative: training draws only from non-negative (seed, step) hashes' streams.
                var random = new Random(StableSeed.Of(-_options.Seed - 1, (int)task, length));
                int correct = 0, recalls = 0, recalled = 0;
                for (int i = 0; i < samplesPerTask; i++)
                {
                    var sample = _corpus.Generate(task, length, random);
                    using var scope = NewDisposeScope();
                    var input = tensor(sample.Tokens.Select(t => (long)t).ToArray(), device: ParameterDevice(decoder)).unsqueeze(0);
                    var next = decoder.forward(input).argmax(-1)[0].data<long>().ToArray();
                    bool Right(int t) => next[t - 1] == sample.Tokens[t];
                    if (Enumerable.Range(sample.AnswerStart, sample.Tokens.Length - sample.AnswerStart).All(Right)) correct++;
                    // In-document recalls show whether copying formed before the answers do.
                    for (int t = 1; t < sample.Tokens.Length; t++)
                        if (sample.Roles[t] == TokenRole.Recall) { recalls++; if (Right(t)) recalled++; }
                }
                results.Add((task, length, (double)correct / samplesPerTask, recalls > 0 ? (double)recalled / recalls : null));
            }
        return new TrainingEvaluation(results);
    }

    static Device ParameterDevice(Decoder decoder) => decoder.parameters().First().device;

    void SetLearningRate(OptimizerHelper optimizer, int step)
    {
        double lr = step < _options.WarmupSteps
            ? _options.LearningRate * (step + 1) / _options.WarmupSteps
            : _options.FinalLearningRate + 0.5 * (_options.LearningRate - _options.FinalLearningRate)
              * (1 + Math.Cos(Math.PI * (step - _options.WarmupSteps) / Math.Max(1, _options.Steps - _options.WarmupSteps)));
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
    }

    int Resume(Decoder decoder, OptimizerHelper optimizer)
    {
        if (!File.Exists(StatePath)) return 0;
        var state = JsonSerializer.Deserialize<CheckpointState>(File.ReadAllText(StatePath))!;
        decoder.load(CheckpointPath);
        optimizer.load_state_dict(OptimizerPath);
        _log.WriteLine($"train: resumed from step {state.Step}");
        return state.Step;
    }

    void SaveCheckpoint(Decoder decoder, OptimizerHelper optimizer, int step)
    {
        // Write everything beside, then rename, so a kill mid-save leaves the previous checkpoint whole.
        decoder.save(CheckpointPath + ".tmp");
        optimizer.save_state_dict(OptimizerPath + ".tmp");
        File.WriteAllText(StatePath + ".tmp", JsonSerializer.Serialize(new CheckpointState(step, _options.Seed)));
        File.Move(CheckpointPath + ".tmp", CheckpointPath, true);
        File.Move(OptimizerPath + ".tmp", OptimizerPath, true);
        File.Move(StatePath + ".tmp", StatePath, true);
    }

    sealed record CheckpointState(int Step, int Seed);
}

/// <summary>Exact-match accuracy per (task, length).</summary>
public sealed record TrainingEvaluation(IReadOnlyList<(TrainingTask Task, int Length, double Accuracy, double? RecallAccuracy)> Results)
{
    public override string ToString() => string.Join("  ", Results.Select(r => r.Task == TrainingTask.Continuation
        ? $"{r.Task}@{r.Length} recalls {r.RecallAccuracy:P0}"
        : $"{r.Task}@{r.Length} {r.Accuracy:P0}" + (r.RecallAccuracy is { } recall ? $" (recalls {recall:P0})" : "")));
}
