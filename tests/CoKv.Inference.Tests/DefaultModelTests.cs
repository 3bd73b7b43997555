using CoKv.Chat;
using CoKv.Generation;
using CoKv.LlamaCpp;
using CoKv.Training;
using Xunit.Abstractions;

namespace CoKv.Tests;

/// <summary>The shipped default model: our loader and llama.cpp agree on it, and its tokenizer reproduces training.</summary>
[Collection(ParityCollection.Name)]
public sealed class DefaultModelTests(ParityFixture fixture, ITestOutputHelper output)
{
    static string ModelPath => Path.Combine(TestPaths.RepoRoot, "models", "cokv-default", "cokv-default.gguf");

    [Fact]
    public void Chat_prompt_tokenizes_exactly_as_the_model_was_trained()
    {
        using var model = ParityModels.Load(ModelPath);
        Assert.Equal(ChatTemplateFamily.Compact, model.ChatTemplateFamily);
        var corpus = new TrainingCorpus(new TrainingVocabulary());
        foreach (var task in Enum.GetValues<TrainingTask>().Where(t => t != TrainingTask.Continuation))
        {
            var sample = corpus.Generate(task, 512, new Random(11));
            var text = corpus.GenerateText(task, 512, new Random(11));
            var prompt = model.EncodeChat([ChatTurn.User(text.Document + " " + text.Question)], addGenerationPrompt: true);
            Assert.Equal(sample.Tokens.Take(sample.AnswerStart), prompt);
        }
    }

    [Fact]
    public void Logits_match_llama_cpp()
    {
        _ = fixture; // the collection fixture initialises llama.cpp once per process
        using var ours = ParityModels.Load(ModelPath);
        using var theirs = LlamaCppModel.Load(ModelPath);
        using var context = LlamaCppContext.Create(theirs, contextLength: 512, batchSize: 512, threads: 1);
        var text = new TaskCorpus().GenerateText(TrainingTask.FrequentWord, 256, new Random(3));
        var tokens = ours.EncodeChat([ChatTurn.User(text.Document + " " + text.Question)], addGenerationPrompt: true);
        double error = ParityMetrics.WorstRelativeError(ParityModels.AllLogits(ours.Decoder, tokens), context.EvaluateAllLogits(tokens));
        output.WriteLine($"default model: worst max|ours − llama.cpp| / std(llama.cpp) over {tokens.Count} positions = {ParityModels.Format(error)}");
        Assert.True(error <= 1e-4, $"relative logits error {error}");
    }
}
