namespace CoKv.Shapley;

/// <summary>Progress of this process's share of the draws (shard), counting draws restored from a checkpoint.</summary>
public readonly record struct ShapleyProgress(int DrawsDone, int DrawsTotal, int LastDrawIndex);
