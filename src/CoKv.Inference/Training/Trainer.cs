using System.Diagnostics;
using System.Text.Json;
using CoKv.Model;
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
    readonly TaskCorpus _corpus;

    public Trainer(TrainingOptions options, TextWriter log)
    {
        _options = options;
        _log = log;
        _corpus = new TaskCorpus(_vocab);
    }

    public TrainingVocabulary Vocabulary => _vocab;
    public ModelConfig Config => TrainingOptions.DefaultModel(_vocab.Count);

    string CheckpointPath => Path.Combine(_options.OutputDirectory, "checkpoint.weights");
    string OptimizerPath => Path.Combine(_options.OutputDirectory, "checkpoint.optimizer");
    string StatePath => Path.Combine(_options.OutputDirectory, "checkpoint.json");

    public Decoder Run(CancellationToken cancellation = default)
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
                .Select(_ => _corpus.Generate(TrainingOptions.TaskAt(random), length, random)).ToArray();
            using (var scope = NewDisposeScope())
            {
                decoder.train();
                optimizer.zero_grad();
                var loss = WeightedLoss(decoder, batch, device);
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
        }
        decoder.eval();
        return decoder;
    }

    /// <summary>The language-modelling loss on documents, relative to the answer loss.</summary>
    const double ContextLossShare = 0.2;

    static Tensor WeightedLoss(Decoder decoder, TrainingSample[] batch, Device device)
    {
        int length = batch[0].Tokens.Length;
        var tokens = tensor(batch.SelectMany(s => s.Tokens).Select(t => (long)t).ToArray(), device: device).view(batch.Length, length);
        var weights = tensor(batch.SelectMany(s => s.Weights).ToArray(), device: device).view(batch.Length, length);
        var logits = decoder.forward(tokens.narrow(1, 0, length - 1));
        var targets = tokens.narrow(1, 1, length - 1);
        var perToken = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), targets.reshape(-1), reduction: nn.Reduction.None);
        var w = weights.narrow(1, 1, length - 1).reshape(-1);
        // Answers and context are averaged apart, so the few answer tokens weigh the same in a 2,048-token document as
        // in a 128-token one instead of vanishing beside the filler.
        var isAnswer = w.ge(TaskCorpus.AnswerWeight).to(ScalarType.Float32);
        var context = w * (1 - isAnswer);
        var answerLoss = (perToken * isAnswer).sum() / isAnswer.sum().clamp_min(1);
        var contextLoss = (perToken * context).sum() / context.sum().clamp_min(1e-6);
        return answerLoss + ContextLossShare * contextLoss;
    }

    /// <summary>
    /// Held-out exact match per task: the answer is right when the model's argmax is the gold token at every answer
    /// position, which is exactly when greedy decoding would write the gold answer.
    /// </summary>
    public TrainingEvaluation Evaluate(Decoder decoder, int[] lengths, int samplesPerTask)
    {
        decoder.eval();
        using var noGrad = no_grad();
        var results = new List<(TrainingTask, int, double)>();
        foreach (var length in lengths)
            foreach (var task in Enum.GetValues<TrainingTask>().Where(t => t != TrainingTask.Continuation))
            {
                // Evaluation seeds are negative: training draws only from non-negative (seed, step) hashes' streams.
                var random = new Random(StableSeed.Of(-_options.Seed - 1, (int)task, length));
                int correct = 0;
                for (int i = 0; i < samplesPerTask; i++)
                {
                    var sample = _corpus.Generate(task, length, random);
                    using var scope = NewDisposeScope();
                    var input = tensor(sample.Tokens.Select(t => (long)t).ToArray(), device: ParameterDevice(decoder)).unsqueeze(0);
                    var predicted = decoder.forward(input).argmax(-1)[0];
                    var predictedAnswer = predicted.narrow(0, sample.AnswerStart - 1, sample.Tokens.Length - sample.AnswerStart);
                    var gold = input[0].narrow(0, sample.AnswerStart, sample.Tokens.Length - sample.AnswerStart);
                    if (predictedAnswer.eq(gold).all().item<bool>()) correct++;
                }
                results.Add((task, length, (double)correct / samplesPerTask));
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
public sealed record TrainingEvaluation(IReadOnlyList<(TrainingTask Task, int Length, double Accuracy)> Results)
{
    public override string ToString() =>
        string.Join("  ", Results.Select(r => $"{r.Task}@{r.Length} {r.Accuracy:P0}"));
}
