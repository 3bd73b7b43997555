using CoKv.Training;
using TorchSharp;

namespace CoKv.Tests;

/// <summary>The trainer's promise that a run can stop and go on: the data and learning rate of a step depend on
/// (seed, step) only, so a run stopped and resumed from its checkpoint ends with the weights of one that never stopped.</summary>
public sealed class TrainerTests
{
    static TrainingOptions Options(string directory) => new()
    {
        OutputDirectory = directory,
        Steps = 4,
        TokensPerStep = 128,
        WarmupSteps = 1,
        EvaluateEvery = 1000,
        EvaluationSamples = 1,
        CheckpointEvery = 1,
        Threads = torch.get_num_threads(),
    };

    [Fact]
    public void A_run_stopped_halfway_and_resumed_ends_with_the_weights_of_one_that_never_stopped()
    {
        using var uninterrupted = new Trainer(Options(TestPaths.TempDir("train-whole")), TextWriter.Null).Run();

        var split = TestPaths.TempDir("train-split");
        using var stop = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new Trainer(Options(split), TextWriter.Null).Run(stop.Token, done => { if (done == 2) stop.Cancel(); }));
        var log = new StringWriter();
        using var resumed = new Trainer(Options(split), log).Run();

        Assert.Contains("resumed from step 2", log.ToString());
        var expected = uninterrupted.state_dict();
        var actual = resumed.state_dict();
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (name, weights) in expected)
            Assert.True(weights.allclose(actual[name], rtol: 0, atol: 0), $"{name} differs between the resumed run and the uninterrupted one.");
    }
}
