namespace CoKv.Training;

/// <summary>
/// The default model's SentencePiece-style vocabulary: control tokens, byte fallback, single characters, and every
/// word of <see cref="WordLists"/> as one piece "▁word". Each word's prefixes are pieces too, with scores rising with
/// length, so SentencePiece's merge-by-score (llama.cpp, our tokenizer) grows every word into its single piece. Text
/// outside the world still encodes through characters and bytes.
/// </summary>
public sealed class TrainingVocabulary
{
    public const string SpaceMark = "\u2581";
    public const int Unknown = 0, Bos = 1, Eos = 2, User = 3, Assistant = 4, End = 5;
    public static readonly string[] ControlTokens = ["<unk>", "<s>", "</s>", "<|user|>", "<|assistant|>", "<|end|>"];

    readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    public TrainingVocabulary()
    {
        Add(ControlTokens, type: 3, score: 0);
        Types[Unknown] = 2;
        for (int b = 0; b < 256; b++) Add([$"<0x{b:X2}>"], type: 6, score: 0);
        var characters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,?:;!'\"-()".Select(c => c.ToString());
        Add([SpaceMark], 1, -1000);
        Add(characters.Where(c => !_ids.ContainsKey(c)), 1, -1000);
        foreach (var word in WordLists.AllWords())
        {
            var piece = SpaceMark + word;
            for (int length = 2; length <= piece.Length; length++)
            {
                var prefix = piece[..length];
                if (!_ids.ContainsKey(prefix)) Add([prefix], 1, -100 + length);
            }
        }
        foreach (var mark in WordLists.Punctuation)
            if (!_ids.ContainsKey(SpaceMark + mark)) Add([SpaceMark + mark], 1, -90);
    }

    public List<string> Pieces { get; } = new();
    public List<float> Scores { get; } = new();
    /// <summary>llama.cpp token types: 1 normal, 2 unknown, 3 control, 6 byte.</summary>
    public List<int> Types { get; } = new();
    public int Count => Pieces.Count;

    /// <summary>The id of a whole word as it appears after a space.</summary>
    public int Word(string word) => _ids.TryGetValue(SpaceMark + word, out var id)
        ? id : throw new KeyNotFoundException($"'{word}' is not a word of the training vocabulary.");

    public int[] Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Word).ToArray();

    public string Text(IEnumerable<int> ids) =>
        string.Concat(ids.Select(i => Types[i] == 3 ? Pieces[i] : Pieces[i].Replace(SpaceMark, " ")));

    void Add(IEnumerable<string> pieces, int type, float score)
    {
        foreach (var piece in pieces)
        {
            _ids[piece] = Pieces.Count;
            Pieces.Add(piece);
            Scores.Add(score);
            Types.Add(type);
        }
    }
}
