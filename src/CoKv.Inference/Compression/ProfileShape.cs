using CoKv.Profiles;

namespace CoKv.Compression;

/// <summary>The check every profile-reading policy (CoKV, BaKlaVa) makes: the profile was measured on this model's shape.</summary>
static class ProfileShape
{
    public static void Require(HeadScores scores, BudgetContext context, string what)
    {
        if (scores.Layers != context.Layers || scores.KvHeads != context.KvHeads)
            throw new ArgumentException($"The {what} describe {scores.Layers} layers x {scores.KvHeads} KV heads; the model has {context.Layers} x {context.KvHeads}.");
    }
}
