namespace CoKv.Compression;

/// <summary>How prefix positions are pooled along the sequence after the window's attention is averaged.</summary>
public enum PoolingKind { Max, Average, None }

/// <summary>
/// SnapKV's scoring options. Window 8 as in CoKV's code; SnapKV's paper used a window of 32 and avg-pool, CoKV's code a
/// max-pool kernel of 7. The kernel defaults to 1 (no pooling) by measurement (docs/results/cokv-quality-2048.md): on
/// the default model at 2,048 tokens and B = 32, pooling spends a head's budget on the neighbours of the tokens the
/// question names, and variable tracking loses its later hops (CoKV 0.43 with kernel 7, 0.63 with kernel 1, 24 held-out
/// documents; needles and key-value lookup unchanged at 1.00). A model whose facts span several tokens may want
/// pooling back: pass Kernel = 7.
/// </summary>
public sealed record SnapKvOptions
{
    /// <summary>The last <c>Window</c> prompt queries vote; those tokens are always kept.</summary>
    public int Window { get; init; } = 8;

    /// <summary>Pooling kernel (odd keeps positions aligned; padding is kernel / 2).</summary>
    public int Kernel { get; init; } = 1;

    public PoolingKind Pooling { get; init; } = PoolingKind.Max;

    /// <summary>
    /// λ of a query-agnostic term added to the window's votes: λ · (mean vote of the head) · u, u in [0, 1] the
    /// position's key norm ranked low to high across the prefix, min-max scaled and inverted (low-norm keys draw
    /// attention whatever the query: Devoto et al. 2024). 0 = SnapKV's scores alone.
    /// </summary>
    public double KeyNormWeight { get; init; }

    /// <summary>
    /// λ of the prompt-attention term (<see cref="PromptAttentionScorer"/>) added to the window's votes:
    /// λ · (mean vote of the head) · (prompt score / its mean over the head's prefix), so λ = 1 gives both the same
    /// mass. It finds what the prompt's later text reads back (a chain's earlier hops) although the question never
    /// names it. 0 = SnapKV's scores alone, and no strided queries are kept.
    /// </summary>
    public double PromptQueryWeight { get; init; }

    /// <summary>S: the prompt-attention term reads the queries of every S-th prompt position.</summary>
    public int PromptQueryStride { get; init; } = PromptAttentionScorer.DefaultStride;

    /// <summary>D: attention within D positions of its query is left out of the prompt-attention term.</summary>
    public int PromptQueryBand { get; init; } = PromptAttentionScorer.DefaultBand;

    /// <summary>Whether the prompt-attention term takes the mean or the max of the kept queries' attention.</summary>
    public QueryAggregate PromptQueryAggregate { get; init; } = QueryAggregate.Mean;

    /// <summary>Rounds of <see cref="QueryAggregate.Follow"/>: hops a chain is followed beyond the window's votes.</summary>
    public int PromptQueryRounds { get; init; } = 3;

    /// <summary>
    /// L: before compressing, up to L answer tokens are decoded greedily on the full cache only for their queries, which
    /// then vote with the window's (the window reaches into the answer: Wang et al. 2025, "Lookahead Q-Cache"); the
    /// tokens themselves are forgotten and the answer is decoded again on the compressed cache. Later hops of a chain,
    /// which the question never names, are what the answer's own queries read. 0 = the prompt's window alone.
    /// 8 by measurement (docs/results/cokv-quality-2048.md): on the default model at B = 32, 24 held-out documents,
    /// variable tracking 0.67 → 1.00 (CoKV) and 0.41 → 1.00 (SnapKV) from L = 4 on, no kind lower; 8 leaves room for
    /// answers that take a few tokens to reach what they read. Its cost: L decode steps over the full cache.
    /// </summary>
    public int Lookahead { get; init; } = DefaultLookahead;

    /// <summary>
    /// λ of the spread prior (<see cref="SpreadPrior"/>) added to the votes: λ · (mean vote of the head) · s, s in (0, 1]
    /// in van der Corput order. A position the queries single out (votes above λ times the mean) is kept as before;
    /// among the others, what the head keeps is an even sample of the prompt instead of whichever small votes happen
    /// to be largest. 0 = SnapKV's ranking alone. 16 by measurement (docs/results/cokv-quality-2048.md): on the default
    /// model at B = 32, 24 held-out documents, the most frequent word 0.167 → 0.333 for CoKV (full cache 0.375), every
    /// other kind unchanged; 64 gave the same, a pure even sample (no votes at all) lost every variable chain.
    /// </summary>
    public double SpreadWeight { get; init; } = DefaultSpreadWeight;

    /// <summary>The spread prior's default weight.</summary>
    public const double DefaultSpreadWeight = 16;

    /// <summary>The look-ahead's default length, in tokens.</summary>
    public const int DefaultLookahead = 8;

    /// <summary>The most look-ahead tokens a request may ask for (each is a decode step on the full cache).</summary>
    public const int MaxLookahead = 256;

    public void Validate()
    {
        if (!double.IsFinite(SpreadWeight) || SpreadWeight < 0) throw new ArgumentOutOfRangeException(nameof(SpreadWeight), SpreadWeight, "The spread weight must be a finite number ≥ 0.");
        if (Generation.OptionRules.Lookahead(nameof(Lookahead), Lookahead) is { } problem) throw new ArgumentOutOfRangeException(nameof(Lookahead), Lookahead, problem);
        if (Window <= 0) throw new ArgumentOutOfRangeException(nameof(Window), Window, "The observation window must hold at least one query.");
        if (!double.IsFinite(KeyNormWeight) || KeyNormWeight < 0) throw new ArgumentOutOfRangeException(nameof(KeyNormWeight), KeyNormWeight, "The key-norm weight must be a finite number ≥ 0.");
        if (!double.IsFinite(PromptQueryWeight) || PromptQueryWeight < 0) throw new ArgumentOutOfRangeException(nameof(PromptQueryWeight), PromptQueryWeight, "The prompt-attention weight must be a finite number ≥ 0.");
        if (PromptQueryStride < 1) throw new ArgumentOutOfRangeException(nameof(PromptQueryStride), PromptQueryStride, "The prompt query stride must be ≥ 1.");
        if (PromptQueryRounds < 1) throw new ArgumentOutOfRangeException(nameof(PromptQueryRounds), PromptQueryRounds, "The chain-following rounds must be ≥ 1.");
        if (PromptQueryBand < 0) throw new ArgumentOutOfRangeException(nameof(PromptQueryBand), PromptQueryBand, "The prompt-attention band must be ≥ 0.");
        if (Kernel <= 0 || Kernel % 2 == 0) throw new ArgumentOutOfRangeException(nameof(Kernel), Kernel, "The pooling kernel must be a positive odd number.");
    }
}
