namespace CoKv.Training;

/// <summary>
/// Generates the default model's documents: "&lt;s&gt; &lt;|user|&gt; document question &lt;|assistant|&gt; answer &lt;|end|&gt;",
/// exactly <c>length</c> tokens long. A fact is a one-token key right before its value ("bako amber"), in the document
/// and again in the answer, which restates the key: the value then follows the same token it follows in the document,
/// so retrieval is copying (an induction head). A separator between key and value ("bako is amber") leaves the token
/// before the value without the key, and that two-token match the model did not learn (measured, see the model card).
/// Written as words, one word a token of the default model's vocabulary; CoKv.Training's <c>TrainingCorpus</c> turns
/// them into token sequences. It lives here, not in CoKv.Training, because profiling generates the "default:" kinds
/// from it at run time (<see cref="CoKv.Profiling.DefaultTaskSamples"/>).
/// </summary>
public sealed class TaskCorpus
{
    /// <summary>A sample as text: what the user sends (document, then question), the gold answer, and the facts
    /// (values, names, words) an answer must contain.</summary>
    public TaskText GenerateText(TrainingTask task, int length, Random random) => task switch
    {
        TrainingTask.SingleNeedle => Needles(random, length, task, needles: 1, asked: 1),
        TrainingTask.MultiNeedle => Needles(random, length, task, needles: 4, asked: 2),
        TrainingTask.KeyValue => KeyValues(random, length),
        TrainingTask.VariableTracking => Variables(random, length),
        TrainingTask.FrequentWord => FrequentWord(random, length),
        _ => Repetition(random, length - 1),
    };

    /// <summary>Words left for the document once BOS, the user and assistant markers, the question, the answer and
    /// the end marker are counted: every sample is exactly the requested length.</summary>
    static int Room(int length, string question, string answer) => length - 4 - WordCount(question) - WordCount(answer);

    static int WordCount(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    static TaskText Needles(Random random, int length, TrainingTask task, int needles, int asked)
    {
        var keys = Distinct(random, WordLists.Keys, needles);
        var values = keys.Select(_ => Pick(random, WordLists.Values)).ToArray();
        var sentences = keys.Select((k, i) => $"the secret code {k} {values[i]} .").ToArray();
        var order = Enumerable.Range(0, needles).OrderBy(_ => random.Next()).Take(asked).ToArray();
        var question = asked == 1
            ? $"what is the secret code {keys[order[0]]} ?"
            : $"what are the secret codes {string.Join(" and ", order.Select(i => keys[i]))} ?";
        var answer = string.Join(" ", order.Select(i => sentences[i]));
        var document = Scatter(random, sentences, Room(length, question, answer));
        return new TaskText(task, document, question, answer, order.Select(i => values[i]).ToArray(), []);
    }

    /// <summary>"key value ;" records filling the document. About half repeat an earlier record, and their values are
    /// supervised: hundreds of retrievals per document instead of the one the question asks for.</summary>
    static TaskText KeyValues(Random random, int length)
    {
        const int recordWords = 3, questionWords = 7, answerWords = 3;
        int room = length - 4 - questionWords - answerWords;
        int count = room / recordWords;
        var pool = WordLists.Keys.OrderBy(_ => random.Next()).ToArray();
        var values = new Dictionary<string, string>();
        var given = new List<string>(count);
        var records = new List<string>(count);
        var repeated = new HashSet<string>();
        for (int i = 0; i < count; i++)
        {
            bool repeat = given.Count > 0 && (random.NextDouble() < 0.5 || given.Count == pool.Length);
            var key = repeat ? given[random.Next(given.Count)] : pool[given.Count];
            if (repeat) repeated.Add(key);
            else
            {
                given.Add(key);
                values[key] = Pick(random, WordLists.Values);
            }
            records.Add(key);
        }
        // Ask for a key given once, so the answer has one place to come from.
        var once = values.Keys.Where(k => !repeated.Contains(k)).ToArray();
        var target = once.Length > 0 ? once[random.Next(once.Length)] : records[0];
        int lead = room - count * recordWords;
        var words = FillerWords(random, lead).Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var recall = new List<int>();
        var firstSeen = new HashSet<string>();
        foreach (var key in records)
        {
            if (!firstSeen.Add(key)) recall.Add(words.Count + 1);
            words.AddRange([key, values[key], ";"]);
        }
        return new TaskText(TrainingTask.KeyValue, string.Join(" ", words), $"what is the value of {target} ?",
            $"{target} {values[target]} .", [values[target]], recall.ToArray());
    }

    /// <summary>A value copied along a chain of names ("copy amber Knox . copy Knox Milo ."), beside a distractor
    /// chain from another value; the answer walks the chain from the value, one copy at a time.</summary>
    static TaskText Variables(Random random, int length)
    {
        var names = WordLists.Names.OrderBy(_ => random.Next()).Take(8).ToArray();
        var value = Pick(random, WordLists.Values);
        string other = Pick(random, WordLists.Values);
        while (other == value) other = Pick(random, WordLists.Values);
        int chain = 3 + random.Next(2);
        var asked = new Queue<string>([$"copy {value} {names[0]} .", .. Enumerable.Range(1, chain - 1).Select(i => $"copy {names[i - 1]} {names[i]} .")]);
        var distractor = new Queue<string>([$"copy {other} {names[chain]} .", $"copy {names[chain]} {names[chain + 1]} ."]);
        // The two chains interleave at random, each in its own order, so the asked names are not simply the first ones.
        var statements = new List<string>();
        while (asked.Count + distractor.Count > 0)
            statements.Add((distractor.Count == 0 || asked.Count > 0 && random.Next(asked.Count + distractor.Count) < asked.Count ? asked : distractor).Dequeue());
        var question = $"which names hold {value} ?";
        var answer = $"{value} {string.Join(" ", names.Take(chain))} .";
        var document = Scatter(random, statements.ToArray(), Room(length, question, answer), keepOrder: true);
        return new TaskText(TrainingTask.VariableTracking, document, question, answer, names.Take(chain).ToArray(), []);
    }

    /// <summary>
    /// Random fact words, then the same words again in shuffled pieces of 3 to 8 words: every word of a repeated
    /// piece but its first can only come from copying what followed the same word before. Copying is the skill every
    /// other task builds on. Filler text repeated as a whole taught it too weakly (measured: 60% on the repeats, the
    /// share its templates give away), and an unshuffled repeat is copied from a fixed distance instead of by content.
    /// </summary>
    static TaskText Repetition(Random random, int words)
    {
        var pool = WordLists.Keys.Concat(WordLists.Values).Concat(WordLists.Names).ToArray();
        int half = words / 2;
        var passage = Enumerable.Range(0, half).Select(_ => Pick(random, pool)).ToArray();
        var pieces = new List<ArraySegment<string>>();
        for (int at = 0; at < half;)
        {
            int size = Math.Min(3 + random.Next(6), half - at);
            pieces.Add(new ArraySegment<string>(passage, at, size));
            at += size;
        }
        var text = new List<string>(words);
        if (words - 2 * half == 1) text.Add("the");
        text.AddRange(passage);
        var recall = new List<int>();
        foreach (var piece in pieces.OrderBy(_ => random.Next()))
        {
            for (int i = 1; i < piece.Count; i++) recall.Add(text.Count + i);
            text.AddRange(piece);
        }
        return new TaskText(TrainingTask.Continuation, string.Join(" ", text), "", "", [], recall.ToArray());
    }

    static TaskText FrequentWord(Random random, int length)
    {
        var pool = WordLists.Animals.Concat(WordLists.Values).ToArray();
        var frequent = Pick(random, pool);
        var question = "which word appears most often ?";
        var answer = $"the word {frequent} appears most often .";
        int count = Room(length, question, answer);
        var words = new string[count];
        for (int i = 0; i < count; i++)
        {
            string word;
            do word = Pick(random, pool); while (word == frequent);
            words[i] = word;
        }
        int repeats = Math.Max(4, count / 12);
        foreach (var at in Enumerable.Range(0, count).OrderBy(_ => random.Next()).Take(repeats)) words[at] = frequent;
        return new TaskText(TrainingTask.FrequentWord, string.Join(" ", words), question, answer, [frequent], []);
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

    static string Pick(Random random, string[] pool) => pool[random.Next(pool.Length)];

    static string[] Distinct(Random random, string[] pool, int count) =>
        pool.OrderBy(_ => random.Next()).Take(count).ToArray();
}
