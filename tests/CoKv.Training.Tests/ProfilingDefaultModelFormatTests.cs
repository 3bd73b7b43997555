using CoKv.Generation;
using CoKv.Decoding;
using CoKv.Profiling;
using CoKv.Training;

namespace CoKv.Tests;

/// <summary>
/// The default model only answers prompts laid out exactly as in training. With a random-weight default model
/// exported the way the trained one is (GGUF, Compact template), a profiling sample of each default kind must
/// tokenize to the training sequence: BOS, &lt;|user|&gt;, the document and question words, &lt;|assistant|&gt;;
/// and its gold to the answer words then &lt;|end|&gt;, which the tokenizer treats as a stop.
/// </summary>
public sealed class ProfilingDefaultModelFormatTests
{
    [Fact]
    public void DefaultKindPromptsAndGoldsMatchTheTrainingLayout()
    {
        var vocabulary = new TrainingVocabulary();
        var path = Path.Combine(TestPaths.TempDir("default-format"), "random-default.gguf");
        using (var decoder = new Decoder(TrainingOptions.DefaultModel(vocabulary.Count) with { LayerCount = 1 }))
        {
            DecoderInitializer.Initialize(decoder, seed: 1);
            DefaultModelExporter.Export(decoder, vocabulary, path);
        }
        using var local = LocalModel.Load(path);
        var model = ProfilingModel.From(local);
        Assert.Contains(TrainingVocabulary.End, model.Tokenizer.StopIds);
        foreach (var kind in DefaultTaskSamples.Names)
        {
            var sample = DefaultTaskSamples.Generate(kind, 200, 1, seed: 9)[0];
            var prepared = PreparedSample.From(sample, model);
            int[] expectedPrompt = [TrainingVocabulary.Bos, TrainingVocabulary.User, .. vocabulary.Words(sample.Context), .. vocabulary.Words(sample.Input), TrainingVocabulary.Assistant];
            Assert.Equal(expectedPrompt, prepared.Prompt);
            Assert.Equal([.. vocabulary.Words(sample.Answers[0]), TrainingVocabulary.End], prepared.Gold);
            Assert.Equal(200, prepared.Prompt.Length + prepared.Gold.Length);
        }
    }
}
