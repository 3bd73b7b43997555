namespace CoKv.Generation.Constraints;

/// <summary>
/// Limits which tokens a generation may sample next. The run asks for the mask before each step, then reports the
/// token drawn. Stop tokens are allowed only where the constraint is complete.
/// </summary>
public interface ITokenConstraint
{
    /// <summary>Fills <paramref name="allowed"/> (one entry per vocabulary id) for the next token.
    /// <paramref name="tokensLeft"/> is how many tokens the generation may still draw (this one included): a constraint
    /// may use it to steer towards an end it can still reach.</summary>
    void FillMask(bool[] allowed, int tokensLeft = int.MaxValue);
    /// <summary>Moves past a sampled token; throws when the token was not allowed.</summary>
    void Advance(int token);
    /// <summary>The output so far is a complete match (the constraint's own end, not the token limit).</summary>
    bool IsComplete { get; }
}
