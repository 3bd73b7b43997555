namespace CoKv.Training;

/// <summary>
/// Generates the default model's documents: "&lt;s&gt; &lt;|user|&gt; document question &lt;|assistant|&gt; answer &lt;|end|&gt;",
/// exactly <c>length</c> tokens long. Answers restate the key before the value ("The secret code of otter lynx is amber
/// jade ."), so the value follows the same words it follows in the document: retrieval becomes copying (an induction
/// head), which a small model learns far faster than matching a key across a separator.
/// </summary>
public sealed class TaskCorpus
{
    readonly TrainingVocabulary _vocab;

    public TaskCorpus(TrainingVocabulary vocabulary) => _vocab = vocabulary;

    public const float AnswerWeight = 1.0f, ContextWeight = 0.1f;

    /// <summary>A sample as text: what the user sends (document, then question), the gold answer, and the facts
    /// (values, names, words) an answer must contain.</summary>
    public TaskText GenerateText(TrainingTask task, int length, Random random)
    {
        var (document, question, answer, facts) = task switch
        {
            TrainingTask.SingleNeedle => Needles(random, length, needles: 1, asked: 1),
            TrainingTask.MultiNeedle => Needles(random, length, needles: 4, asked: 2),
            TrainingTask.KeyValue => KeyValues(random, length),
            TrainingTask.VariableTracking => Variables(random, length),
            TrainingTask.FrequentWord => FrequentWord(random, length),
            _ => (FillerWords(random, length - 1), "", "", Array.Empty<string>()),
        };
        return new TaskText(task, document, question, answer, facts);
    }

    public TrainingSample Generate(TrainingTask task, int length, Random random)
    {
        var (_, document, question, answer, facts) = GenerateText(task, length, random);
        if (task == TrainingTask.Continuation)
        {
            var plain = new[] { TrainingVocabulary.Bos }.Concat(_vocab.Words(document)).Take(length).ToArray();
            return new TrainingSample(task, plain, plain.Select(_ => 0.5f).ToArray(), plain.Length, facts);
        }

        var head = new List<int> { TrainingVocabulary.Bos, TrainingVocabulary.User };
        var documentIds = _vocab.Words(document);
        var questionIds = _vocab.Words(question);
        var answerIds = _vocab.Words(answer).Append(TrainingVocabulary.End).ToArray();
        var tokens = head.Concat(documentIds).Concat(questionIds).Append(TrainingVocabulary.Assistant).ToList();
        int answerStart = tokens.Count;
        tokens.AddRange(answerIds);
        if (tokens.Count != length) throw new InvalidOperationException($"A {task} sample came out {tokens.Count} tokens long, not {length}.");
        var weights = tokens.Select((_, i) => i >= answerStart ? AnswerWeight : ContextWeight).ToArray();
        return new TrainingSample(task, tokens.ToArray(), weights, answerStart, facts);
    }

    /// <summary>Words left for the document once BOS, the user and assistant markers, the question, the answer and
    /// the end marker are counted: every sample is exactly the requested length.</summary>
    static int Room(int length, string question, string answer) => length - 4 - WordCount(question) - WordCount(answer);

    static int WordCount(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    (string, string, string, string[]) Needles(Random random, int length, int needles, int asked)
    {
        var keys = DistinctPairs(random, WordLists.Keys, needles);
        var values = keys.Select(_ => Pair(random, WordLists.Values)).ToArray();
        var sentences = keys.Select((k, i) => $"the secret code of {k} is {values[i]} .").ToArray();
        var order = Enumerable.Range(0, needles).OrderBy(_ => random.Next()).Take(asked).ToArray();
        var question = asked == 1
            ? $"what is the secret code of {keys[order[0]]} ?"
            : $"what are the secret codes of {string.Join(" and ", order.Select(i => keys[i]))} ?";
        var answer = string.Join(" ", order.Select(i => sentences[i]));
        var document = Scatter(random, sentences, Room(length, question, answer));
        return (document, question, answer, order.Select(i => values[i]).ToArray());
    }

    (string, string, string, string[]) KeyValues(Random random, int length)
    {
        const int recordWords = 6, questionWords = 8, answerWords = 6;
        int room = length - 4 - questionWords - answerWords;
        int count = Math.Max(2, room / recordWords);
        var keys = DistinctPairs(random, WordLists.Keys, count);
        var values = keys.Select(_ => Pair(random, WordLists.Values)).ToArray();
        var records = string.Join(" ", keys.Select((k, i) => $"{k} : {values[i]} ;"));
        int target = random.Next(count);
        // Whatever the records leave of the room starts the document as filler, so the length is exact.
        var lead = FillerWords(random, room - count * recordWords);
        return ((lead + " " + records).Trim(), $"what is the value of {keys[target]} ?", $"{keys[target]} : {values[target]} .", [values[target]]);
    }

    (string, string, string, string[]) Variables(Random random, int length)
    {
        var names = WordLists.Names.OrderBy(_ => random.Next()).Take(8).ToArray();
        var value = Pair(random, WordLists.Values);
        string other = Pair(random, WordLists.Values);
        while (other == value) other = Pair(random, WordLists.Values);
        int chain = 3 + random.Next(2);
        var statements = new List<string> { $"let {names[0]} be {value} ." };
        for (int i = 1; i < chain; i++) statements.Add($"let {names[i]} be {names[i - 1]} .");
        // A distractor chain bound to another value, so the value in the question matters.
        statements.Add($"let {names[chain]} be {other} .");
        statements.Add($"let {names[chain + 1]} be {names[chain]} .");
        var question = $"which names are {value} ?";
        var answer = string.Join(" ", statements.Take(chain));
        var document = Scatter(random, statements.ToArray(), Room(length, question, answer), keepOrder: true);
        return (document, question, answer, names.Take(chain).ToArray());
    }

    (string, string, string, string[]) FrequentWord(Random random, int length)
    {
        var pool = WordLists.Keys.Concat(WordLists.Values).ToArray();
        var frequent = pool[random.Next(pool.Length)];
        var question = "which word appears most often ?";
        var answer = $"the word {frequent} appears most often .";
        int count = Room(length, question, answer);
        var words = new string[count];
        for (int i = 0; i < count; i++)
        {
            string word;
            do word = pool[random.Next(pool.Length)]; while (word == frequent);
            words[i] = word;
        }
        int repeats = Math.Max(4, count / 12);
        foreach (var at in Enumerable.Range(0, count).OrderBy(_ => random.Next()).Take(repeats)) words[at] = frequent;
        return (string.Join(" ", words), question, answer, [frequent]);
    }

    /// <summary>Exactly <paramref name="words"/> words: filler sentences with the given sentences placed between them.</summary>
    static string Scatter(Random random, string[] sentences, int words, bool keepOrder = false)
    {
        int fillerWords = words - sentences.Sum(WordCount);
        if (fillerWords < 0) throw new ArgumentException($"{words} words cannot hold {sentences.Length} facts.");
        var filler = FillerSentences(random, fillerWords);
        // Short documents may have fewer gaps than facts: then gaps are drawn with repetition.
        var slots = filler.Count + 1 >= sentences.Length
            ? Enumerable.Range(0, filler.Count + 1).OrderBy(_ => random.Next()).Take(sentences.Length).ToList()
            : sentences.Select(_ => random.Next(filler.Count + 1)).ToList();
        if (keepOrder) slots.Sort();
        var parts = new List<string>(filler);
        var placed = slots.Select((slot, i) => (slot, sentence: sentences[i])).OrderByDescending(p => p.slot);
        foreach (var (slot, sentence) in placed) parts.Insert(slot, sentence);
        return string.Join(" ", parts);
    }

    static string FillerWords(Random random, int words) => string.Join(" ", FillerSentences(random, words));

    /// <summary>Sentences of exactly <paramref name="words"/> words in all (the last one cut short if need be).</summary>
    static List<string> FillerSentences(Random random, int words)
    {
        var sentences = new List<string>();
        int total = 0;
        while (total < words)
        {
            var s = Sentence(random);
            var parts = s.Split(' ');
            int take = Math.Min(parts.Length, words - total);
            sentences.Add(take == parts.Length ? s : string.Join(" ", parts.Take(take)));
            total += take;
        }
        return sentences;
    }

    static string Sentence(Random r)
    {
        string Pick(string[] pool) => pool[r.Next(pool.Length)];
        return r.Next(4) switch
        {
            0 => $"the {Pick(WordLists.Adjectives)} {Pick(WordLists.Subjects)} {Pick(WordLists.Verbs)} to the {Pick(WordLists.Places)} in the {Pick(WordLists.Times)} .",
            1 => $"a {Pick(WordLists.Subjects)} {Pick(WordLists.Verbs)} the {Pick(WordLists.Adjectives)} {Pick(WordLists.Objects)} near the {Pick(WordLists.Places)} .",
            2 => $"every {Pick(WordLists.Times)} the {Pick(WordLists.Subjects)} and the {Pick(WordLists.Subjects)} {Pick(WordLists.Verbs)} , then they {Pick(WordLists.Verbs)} again .",
            _ => $"there was a {Pick(WordLists.Adjectives)} {Pick(WordLists.Objects)} at the {Pick(WordLists.Places)} , and it was {Pick(WordLists.Adjectives)} .",
        };
    }

    static string Pair(Random random, string[] pool) => $"{pool[random.Next(pool.Length)]} {pool[random.Next(pool.Length)]}";

    static string[] DistinctPairs(Random random, string[] pool, int count)
    {
        var seen = new HashSet<string>();
        int limit = pool.Length * pool.Length;
        while (seen.Count < Math.Min(count, limit)) seen.Add(Pair(random, pool));
        return seen.ToArray();
    }
}
