using System.Globalization;

namespace CoKv.Cli.Commands;

/// <summary>The CLI's integer-list options (--budgets, --contexts, --sizes): "16,64,2k", where a k suffix means ×1024.</summary>
static class IntList
{
    /// <summary>The integers, or null when <paramref name="list"/> is blank; a bad item names <paramref name="option"/>.</summary>
    public static int[]? Parse(string? list, string option)
    {
        if (string.IsNullOrWhiteSpace(list)) return null;
        return list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Item).ToArray();

        int Item(string s)
        {
            bool kilo = s.EndsWith('k') || s.EndsWith('K');
            if (!int.TryParse(kilo ? s[..^1] : s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n))
                throw new ArgumentException($"{option} takes a comma-separated list of integers (a k suffix means x1024, as in 16k), not '{list}': '{s}' is not one.");
            try
            {
                return kilo ? checked(n * 1024) : n;
            }
            catch (OverflowException)
            {
                throw new ArgumentException($"{option}: '{s}' is too large.");
            }
        }
    }
}
