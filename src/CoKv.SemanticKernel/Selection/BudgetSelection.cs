using CoKv.Profiles;

namespace CoKv.SemanticKernel.Selection;

/// <summary>Why a request got its policy and profile; reported as "profile_reason".</summary>
public enum ProfileReason
{
    /// <summary>The request named the profile, task type or policy.</summary>
    Explicit,
    /// <summary>The task classifier recognised the request's task type and a profile exists for it.</summary>
    Classified,
    /// <summary>The configured default task type's profile.</summary>
    Default,
    /// <summary>No profile applied (none asked for, none recognised, or none built yet): the fallback policy.</summary>
    Fallback,
}

/// <summary>The budget a request runs with, and how it was chosen.</summary>
public sealed record BudgetSelection
{
    public required string Policy { get; init; }
    /// <summary>Mean tokens per KV head.</summary>
    public required int Budget { get; init; }
    public required int Window { get; init; }
    /// <summary>Answer tokens decoded on the full cache before compressing, for their queries (0: none).</summary>
    public int Lookahead { get; init; }
    public required ProfileReason Reason { get; init; }
    /// <summary>The task type the request was taken for (named, classified or default), even when it had no profile.</summary>
    public string? TaskType { get; init; }
    public BudgetProfile? Profile { get; init; }
    /// <summary>The profile's file, for the metadata.</summary>
    public string? ProfilePath { get; init; }
    /// <summary>A sentence for people: which classifier rule fired, why a profile was not used, ...</summary>
    public string? Note { get; init; }

    public static string ReasonName(ProfileReason reason) => reason switch
    {
        ProfileReason.Explicit => "explicit",
        ProfileReason.Classified => "classified",
        ProfileReason.Default => "default",
        _ => "fallback",
    };
}
