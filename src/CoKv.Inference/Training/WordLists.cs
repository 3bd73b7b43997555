namespace CoKv.Training;

/// <summary>
/// The words of the default model's world: readable filler sentences, and the pools facts are made from. Keys, values
/// and names come from pools disjoint from the filler, so a fact never hides in ordinary text.
/// </summary>
public static class WordLists
{
    public static readonly string[] Subjects =
    [
        "farmer", "teacher", "sailor", "child", "baker", "doctor", "painter", "soldier", "merchant", "driver",
        "singer", "writer", "fisher", "hunter", "miller", "weaver", "priest", "judge", "nurse", "student",
        "king", "queen", "captain", "pilot", "guard", "cook", "clerk", "poet", "smith", "shepherd",
    ];

    public static readonly string[] Adjectives =
    [
        "old", "young", "quiet", "busy", "tired", "happy", "small", "tall", "kind", "clever",
        "brave", "calm", "early", "late", "careful", "gentle", "proud", "lucky", "patient", "honest",
        "curious", "bright", "warm", "cold", "heavy", "light", "long", "short", "simple", "strange",
    ];

    public static readonly string[] Verbs =
    [
        "walked", "looked", "waited", "worked", "talked", "listened", "rested", "smiled", "travelled", "laughed",
        "watched", "cooked", "painted", "sang", "wrote", "read", "played", "studied", "cleaned", "counted",
        "climbed", "carried", "opened", "closed", "visited", "followed", "found", "built", "sold", "bought",
    ];

    public static readonly string[] Objects =
    [
        "letter", "basket", "window", "garden", "bridge", "road", "table", "lamp", "book", "boat",
        "wagon", "door", "fence", "field", "market", "well", "tower", "cart", "chair", "house",
        "map", "song", "story", "coat", "bread", "apple", "clock", "box", "rope", "ladder",
    ];

    public static readonly string[] Places =
    [
        "village", "harbor", "forest", "valley", "castle", "school", "church", "square", "mill", "farm",
        "station", "hill", "lake", "shore", "city", "town", "meadow", "camp", "inn", "hall",
    ];

    public static readonly string[] Times =
    [
        "morning", "evening", "night", "noon", "winter", "summer", "spring", "autumn", "week", "day",
    ];

    public static readonly string[] Function =
    [
        "the", "a", "of", "in", "on", "near", "and", "with", "to", "by", "at", "from", "for", "after", "before",
        "every", "some", "many", "then", "while", "again", "was", "were", "is", "are", "be", "it", "they", "there",
        "when", "all", "one", "two", "three", "what", "which", "who", "how", "most", "often", "appears", "word",
        "names", "name", "value", "secret", "code", "codes", "let", "question", "answer", "document", "read",
        "following", "text", "equal", "common", "times", "copy", "hold", "list",
    ];

    /// <summary>Animal words: with the values, the pool of the most-frequent-word lists.</summary>
    public static readonly string[] Animals =
    [
        "falcon", "otter", "badger", "heron", "lynx", "marten", "osprey", "panther", "raven", "salmon",
        "tiger", "walrus", "beaver", "bison", "cobra", "condor", "coyote", "dolphin", "eagle", "ferret",
        "gecko", "gopher", "hawk", "hyena", "ibis", "jackal", "koala", "lemur", "lizard", "llama",
        "mole", "moose", "newt", "ocelot", "owl", "parrot", "pelican", "puffin", "quail", "rabbit",
        "seal", "shark", "sloth", "stork", "swan", "toad", "turtle", "viper",
    ];

    /// <summary>Value words: two of them are a fact's value.</summary>
    public static readonly string[] Values =
    [
        "amber", "azure", "bronze", "cobalt", "copper", "coral", "crimson", "ebony", "emerald", "garnet",
        "golden", "indigo", "ivory", "jade", "lilac", "magenta", "maroon", "ochre", "olive", "onyx",
        "opal", "pearl", "plum", "quartz", "ruby", "rust", "saffron", "sapphire", "scarlet", "silver",
        "slate", "tan", "teal", "topaz", "umber", "violet", "cedar", "birch", "maple", "willow",
        "granite", "marble", "velvet", "linen", "satin", "cotton", "iron", "tin",
    ];

    /// <summary>Variable names for variable tracking (capitalised, so unlike any other word).</summary>
    public static readonly string[] Names =
    [
        "Alder", "Brook", "Cyrus", "Dorian", "Elm", "Fenn", "Garth", "Hollis", "Ivo", "Jasper",
        "Knox", "Lorne", "Milo", "Nash", "Orrin", "Pike", "Quinn", "Rook", "Soren", "Thane",
        "Ulric", "Vale", "Wren", "Yorick", "Zane", "Ash", "Bram", "Cole", "Dane", "Ezra",
        "Flint", "Gale",
    ];

    public static readonly string[] Punctuation = [".", ",", "?", ":", ";"];

    /// <summary>
    /// Key words: made-up two-syllable code names ("bako", "tilu"), one token each and never a word of the text, so a
    /// fact's key is a single token found nowhere else in its document. Retrieval is then one-token copying (an
    /// induction head), which the default model learns in minutes; two-word keys it had not learned in 98 M tokens.
    /// </summary>
    public static readonly string[] Keys = CodeNames(384);

    public static IEnumerable<string> AllWords() =>
        Subjects.Concat(Adjectives).Concat(Verbs).Concat(Objects).Concat(Places).Concat(Times).Concat(Function)
            .Concat(Animals).Concat(Values).Concat(Names).Concat(Keys).Distinct(StringComparer.Ordinal);

    static string[] CodeNames(int count)
    {
        var syllables = "bdfgklmnprstvz".SelectMany(c => "aeiou".Select(v => $"{c}{v}")).ToArray();
        var taken = Subjects.Concat(Adjectives).Concat(Verbs).Concat(Objects).Concat(Places).Concat(Times)
            .Concat(Function).Concat(Animals).Concat(Values).Concat(Names).ToHashSet(StringComparer.OrdinalIgnoreCase);
        int all = syllables.Length * syllables.Length;
        var names = new List<string>(count);
        // Striding by a number prime to the count visits every pair once, spread over all syllables.
        for (int i = 0; names.Count < count && i < all; i++)
        {
            int pair = (int)((long)i * 1237 % all);
            var (first, second) = (syllables[pair / syllables.Length], syllables[pair % syllables.Length]);
            if (first != second && !taken.Contains(first + second)) names.Add(first + second);
        }
        return names.ToArray();
    }
}
