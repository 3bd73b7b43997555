namespace CoKv.Training;

/// <summary>
/// The task corpus as training sequences: <see cref="TaskCorpus"/>'s words as ids of the training vocabulary, laid out
/// as one chat exchange ("&lt;s&gt; &lt;|user|&gt; document question &lt;|assistant|&gt; answer &lt;|end|&gt;"), each
/// target token marked with its role for the loss.
/// </summary>
public sealed class TrainingCorpus(TrainingVocabulary vocabulary)
{
    readonly TaskCorpus _text = new();

    /// <inheritdoc cref="TaskCorpus.GenerateText"/>
    public TaskText GenerateText(TrainingTask task, int length, Random random) => _text.GenerateText(task, length, random);

    public TrainingSample Generate(TrainingTask task, int length, Random random)
    {
        var text = GenerateText(task, length, random);
        if (task == TrainingTask.Continuation)
        {
            var plain = new[] { TrainingVocabulary.Bos }.Concat(vocabulary.Words(text.Document)).ToArray();
            var plainRoles = new TokenRole[plain.Length];
            foreach (var word in text.RecallWords) plainRoles[1 + word] = TokenRole.Recall;
            return new TrainingSample(task, plain, plainRoles, plain.Length, text.Facts);
        }

        const int documentStart = 2; // after <s> <|user|>
        var tokens = new List<int> { TrainingVocabulary.Bos, TrainingVocabulary.User };
        tokens.AddRange(vocabulary.Words(text.Document));
        tokens.AddRange(vocabulary.Words(text.Question));
        tokens.Add(TrainingVocabulary.Assistant);
        int answerStart = tokens.Count;
        tokens.AddRange(vocabulary.Words(text.Answer));
        tokens.Add(TrainingVocabulary.End);
        if (tokens.Count != length) throw new InvalidOperationException($"A {task} sample came out {tokens.Count} tokens long, not {length}.");
        var roles = new TokenRole[length];
        foreach (var word in text.RecallWords) roles[documentStart + word] = TokenRole.Recall;
        Array.Fill(roles, TokenRole.Answer, answerStart, length - answerStart);
        return new TrainingSample(task, tokens.ToArray(), roles, answerStart, text.Facts);
    }}
