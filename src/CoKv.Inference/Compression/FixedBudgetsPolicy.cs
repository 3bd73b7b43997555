namespace CoKv.Compression;

/// <summary>
/// Explicit budgets per (layer, KV head), row-major. Profiling uses it for coalitions: heads in the coalition keep their
/// full cache, the others only the observation window (<see cref="Coalition"/>). Budgets clamp to [w, T].
/// </summary>
public sealed class FixedBudgetsPolicy : IBudgetPolicy
{
    /// <summary>A budget that means "keep the whole prompt".</summary>
    public const int Full = int.MaxValue;

    readonly int[] _budgets;

    public FixedBudgetsPolicy(IReadOnlyList<int> budgets, string name = "fixed")
    {
        ArgumentNullException.ThrowIfNull(budgets);
        if (budgets.Any(b => b < 0)) throw new ArgumentOutOfRangeException(nameof(budgets), "Budgets cannot be negative.");
        _budgets = budgets.ToArray();
        Name = name;
    }

    /// <summary>Heads whose row-major index is in <paramref name="members"/> keep everything; the others keep the window.</summary>
    public static FixedBudgetsPolicy Coalition(int layers, int kvHeads, IEnumerable<int> members, string name = "coalition")
    {
        var budgets = new int[layers * kvHeads]; // 0 clamps up to the window
        foreach (int m in members)
        {
            if (m < 0 || m >= budgets.Length) throw new ArgumentOutOfRangeException(nameof(members), m, $"Heads are numbered 0..{budgets.Length - 1}.");
            budgets[m] = Full;
        }
        return new FixedBudgetsPolicy(budgets, name);
    }

    public IReadOnlyList<int> Budgets => _budgets;
    public string Name { get; }
    public bool NeedsTokenScores => false;

    public int[] Allocate(BudgetContext context)
    {
        if (_budgets.Length != context.Players)
            throw new ArgumentException($"{_budgets.Length} budgets given for {context.Layers} layers x {context.KvHeads} KV heads.");
        return (int[])_budgets.Clone();
    }
}
