using System.Text;
using CoKv.Common;

namespace CoKv.Datasets.Synthetic;

/// <summary>
/// Distinct made-up words (consonant-vowel syllables) from a seed. Unlimited, unlike a fixed word list, and
/// unlikely to carry meaning a model could lean on. The sequence is prefix-stable: the first k words of a seed are
/// the same however many are asked for, which keeps a sample's content stable while its size is searched.
/// </summary>
public static class PseudoWords
{
    const string Consonants = "bcdfghjklmnprstvwz";
    const string Vowels = "aeiou";

    public static IReadOnlyList<string> Take(long seed, int count, int minSyllables = 2, int maxSyllables = 3, ISet<string>? exclude = null)
    {
        var rng = new SeededRandom(seed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var words = new List<string>(count);
        while (words.Count < count)
        {
            var syllables = rng.Next(minSyllables, maxSyllables + 1);
            var sb = new StringBuilder(syllables * 2);
            for (var i = 0; i < syllables; i++) sb.Append(Consonants[rng.Next(Consonants.Length)]).Append(Vowels[rng.Next(Vowels.Length)]);
            var w = sb.ToString();
            if ((exclude is null || !exclude.Contains(w)) && seen.Add(w)) words.Add(w);
        }
        return words;
    }
}
