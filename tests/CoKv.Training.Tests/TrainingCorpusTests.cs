using CoKv.Training;

namespace CoKv.Tests;

/// <summary>The default model's training documents: what each task promises about its tokens and roles.</summary>
public sealed class TrainingCorpusTests
{
    static readonly TrainingVocabulary Vocabulary = new();
    static readonly TrainingCorpus Corpus = new(Vocabulary);

    [Theory]
    [InlineData(64)]
    [InlineData(512)]
    [InlineData(2048)]
    public void Every_task_is_exactly_the_requested_length(int length)
    {
        var random = new Random(length);
        foreach (var task in Enum.GetValues<TrainingTask>())
            for (int i = 0; i < 5; i++)
            {
                var sample = Corpus.Generate(task, length, random);
                Assert.Equal(length, sample.Tokens.Length);
                Assert.Equal(length, sample.Roles.Length);
            }
    }

    [Fact]
    public void Every_key_is_one_token_and_unlike_any_other_word()
    {
        Assert.Equal(WordLists.Keys.Length, WordLists.Keys.Distinct().Count());
        var others = WordLists.AllWords().Except(WordLists.Keys).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var key in WordLists.Keys)
        {
            Assert.DoesNotContain(key, others);
            Assert.Single(Vocabulary.Words(key));
        }
    }

    [Fact]
    public void Key_value_recalls_are_values_after_a_key_given_before_with_that_value()
    {
        var sample = Corpus.Generate(TrainingTask.KeyValue, 1024, new Random(5));
        var keys = WordLists.Keys.Select(Vocabulary.Word).ToHashSet();
        var firstValue = new Dictionary<int, int>();
        int recalls = 0;
        int documentEnd = sample.AnswerStart - 8; // "what is the value of KEY ?" and <|assistant|> follow the records
        for (int t = 1; t < documentEnd; t++)
        {
            int previous = sample.Tokens[t - 1];
            if (!keys.Contains(previous)) continue;
            bool seen = firstValue.TryGetValue(previous, out var value);
            Assert.Equal(seen ? TokenRole.Recall : TokenRole.Context, sample.Roles[t]);
            if (seen) { Assert.Equal(value, sample.Tokens[t]); recalls++; }
            else firstValue[previous] = sample.Tokens[t];
        }
        // About half of the records repeat one given before.
        Assert.InRange(recalls, 100, 230);
        Assert.Equal(sample.Roles.Count(r => r == TokenRole.Recall), recalls);

        // The key asked for is given once, and the answer restates it before its value.
        int askedKey = sample.Tokens[sample.AnswerStart];
        Assert.Single(sample.Tokens.Take(documentEnd), t => t == askedKey);
        Assert.Equal(firstValue[askedKey], sample.Tokens[sample.AnswerStart + 1]);
    }

    [Fact]
    public void Repetition_recalls_continue_a_piece_seen_before()
    {
        var sample = Corpus.Generate(TrainingTask.Continuation, 256, new Random(2));
        var recalls = Enumerable.Range(1, sample.Tokens.Length - 1).Where(t => sample.Roles[t] == TokenRole.Recall).ToArray();
        Assert.InRange(recalls.Length, 80, 110);
        foreach (var t in recalls)
        {
            // Some earlier occurrence of the previous token is followed by this one.
            bool copied = Enumerable.Range(1, t - 2).Any(j => sample.Tokens[j - 1] == sample.Tokens[t - 1] && sample.Tokens[j] == sample.Tokens[t]);
            Assert.True(copied, $"token {t} is not a copy");
        }
    }

    [Fact]
    public void Variable_chains_interleave_and_the_answer_walks_the_asked_one()
    {
        int askedFirst = 0;
        for (int seed = 0; seed < 40; seed++)
        {
            var text = Corpus.GenerateText(TrainingTask.VariableTracking, 256, new Random(seed));
            var words = text.Document.Split(' ');
            var copies = Enumerable.Range(0, words.Length - 2).Where(i => words[i] == "copy").Select(i => (From: words[i + 1], To: words[i + 2])).ToList();
            var answer = text.Answer.Split(' ');
            Assert.Equal(text.Question.Split(' ')[3], answer[0]);
            for (int i = 1; i < answer.Length - 1; i++) Assert.Contains((answer[i - 1], answer[i]), copies);
            Assert.Equal(text.Facts, answer[1..^1]);
            // Names of the asked chain are not always the first names in the document.
            if (copies.Take(text.Facts.Length).Select(c => c.To).SequenceEqual(text.Facts)) askedFirst++;
        }
        Assert.InRange(askedFirst, 1, 30);
    }
}
