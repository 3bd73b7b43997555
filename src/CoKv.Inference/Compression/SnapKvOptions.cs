namespace CoKv.Compression;

/// <summary>How prefix positions are pooled along the sequence after the window's attention is averaged.</summary>
public enum PoolingKind { Max, Average, None }

/// <summary>
/// SnapKV's scoring options. The defaults are CoKV's code (window 8, max-pool kernel 7); SnapKV's paper used a window
/// of 32 and avg-pool.
/// </summary>
public sealed record SnapKvOptions
{
    /// <summary>The last <c>Window</c> prompt queries vote; those tokens are always kept.</summary>
    public int Window { get; init; } = 8;

    /// <summary>Pooling kernel (odd keeps positions aligned; padding is kernel / 2).</summary>
    public int Kernel { get; init; } = 7;

    public PoolingKind Pooling { get; init; } = PoolingKind.Max;

    /// <summary>
    /// λ of a query-agnostic term added to the window's votes: λ · (mean vote of the head) · u, u in [0, 1] the
    /// position's key norm ranked low to high across the prefix, min-max scaled and inverted (low-norm keys draw
    /// attention whatever the query: Devoto et al. 2024). 0 = SnapKV's scores alone.
    /// </summary>
    public double KeyNormWeight { get; init; }

    public void Validate()
    {
        if (Window <= 0) throw new ArgumentOutOfRangeException(nameof(Window), Window, "The observation window must hold at least one query.");
        if (!double.IsFinite(KeyNormWeight) || KeyNormWeight < 0) throw new ArgumentOutOfRangeException(nameof(KeyNormWeight), KeyNormWeight, "The key-norm weight must be a finite number ≥ 0.");
        if (Kernel <= 0 || Kernel % 2 == 0) throw new ArgumentOutOfRangeException(nameof(Kernel), Kernel, "The pooling kernel must be a positive odd number.");
    }
}
