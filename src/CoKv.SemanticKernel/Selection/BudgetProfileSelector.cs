using System.Collections.Concurrent;
using CoKv.Profiles;
using Microsoft.Extensions.AI;

namespace CoKv.SemanticKernel.Selection;

/// <summary>
/// The default selector. Profiles are looked up in the registration's profile directory by (model fingerprint, task
/// type, method); a profile made for another model is never used. A task type whose profile does not exist yet (the
/// profiling service may still be building it) gets the fallback policy, and the metadata says so.
/// </summary>
public sealed class BudgetProfileSelector : IBudgetProfileSelector
{
    readonly CoKvOptions _options;
    readonly ITaskClassifier? _classifier;
    readonly ProfileStore _store;
    // Profiles are small, but a request should not parse JSON each time: reread only when the file changes.
    readonly ConcurrentDictionary<string, (DateTime WrittenUtc, BudgetProfile Profile)> _loaded = new(StringComparer.Ordinal);

    public BudgetProfileSelector(CoKvOptions options, ITaskClassifier? classifier)
    {
        _options = options;
        _classifier = classifier;
        _store = new ProfileStore(options.ProfileDirectory);
    }

    public BudgetSelection Select(IReadOnlyList<ChatMessage> messages, CoKvRequestSettings settings, string modelFingerprint) =>
        SelectPolicy(messages, settings, modelFingerprint) with { Lookahead = settings.Lookahead ?? _options.Lookahead };

    BudgetSelection SelectPolicy(IReadOnlyList<ChatMessage> messages, CoKvRequestSettings settings, string modelFingerprint)
    {
        var budget = settings.Budget ?? _options.DefaultBudget;
        var window = settings.Window ?? _options.Window;
        var policy = settings.BudgetPolicy is { } p ? BudgetPolicyNames.Normalize(p) : null;
        var method = policy is not null && BudgetPolicyNames.NeedsProfile(policy) ? policy : BudgetPolicyNames.Normalize(_options.ProfileMethod);

        BudgetSelection Fallback(string? taskType, string note) => new()
        {
            Policy = BudgetPolicyNames.Normalize(_options.FallbackPolicy), Budget = budget, Window = window,
            Reason = ProfileReason.Fallback, TaskType = taskType, Note = note,
        };

        BudgetSelection WithProfile(BudgetProfile profile, string path, ProfileReason reason, string? note) => new()
        {
            Policy = policy is not null && BudgetPolicyNames.NeedsProfile(policy) ? policy : BudgetPolicyNames.Normalize(profile.Method),
            Budget = budget, Window = window, Reason = reason, TaskType = profile.TaskType, Profile = profile, ProfilePath = path, Note = note,
        };

        // 1. Explicit: a profile file, a task type, or a policy that needs no profile.
        if (settings.Profile is { } named)
        {
            if (LooksLikePath(named))
            {
                var path = Path.IsPathRooted(named) ? named : Path.Combine(_store.Directory, named);
                if (!File.Exists(path)) throw new FileNotFoundException($"Profile file '{Path.GetFullPath(path)}' (setting '{CoKvSettingKeys.Profile}') does not exist.", path);
                var profile = _store.Load(path, modelFingerprint);
                return WithProfile(profile, path, ProfileReason.Explicit, "profile file named in the request");
            }
            return TryProfile(named, modelFingerprint, method, out var byName, out var byNamePath)
                ? WithProfile(byName!, byNamePath!, ProfileReason.Explicit, "profile named in the request")
                : Fallback(named, $"no {method} profile '{named}' for this model yet");
        }
        if (settings.TaskType is { } requested)
        {
            if (policy is not null && !BudgetPolicyNames.NeedsProfile(policy))
                return new() { Policy = policy, Budget = budget, Window = window, Reason = ProfileReason.Explicit, TaskType = requested, Note = "policy named in the request" };
            return TryProfile(requested, modelFingerprint, method, out var byTask, out var byTaskPath)
                ? WithProfile(byTask!, byTaskPath!, ProfileReason.Explicit, "task type named in the request")
                : Fallback(requested, $"no {method} profile for task type '{requested}' and this model yet");
        }
        if (policy is not null && !BudgetPolicyNames.NeedsProfile(policy))
            return new() { Policy = policy, Budget = budget, Window = window, Reason = ProfileReason.Explicit, Note = "policy named in the request" };

        // 2. Classified.
        string? unprofiled = null;
        if (_options.ClassifyRequests && _classifier?.Classify(messages) is { } classified)
        {
            if (TryProfile(classified.TaskType, modelFingerprint, method, out var byClass, out var byClassPath))
                return WithProfile(byClass!, byClassPath!, ProfileReason.Classified, $"classifier: {classified.Rule}");
            unprofiled = classified.TaskType;
        }

        // 3. The configured default.
        if (_options.DefaultTaskType is { } fallbackTask && TryProfile(fallbackTask, modelFingerprint, method, out var byDefault, out var byDefaultPath))
            return WithProfile(byDefault!, byDefaultPath!, ProfileReason.Default, "configured default task type");

        // 4. A policy that needs no profile.
        return Fallback(unprofiled ?? _options.DefaultTaskType,
            unprofiled is not null ? $"classified as '{unprofiled}', which has no {method} profile for this model yet" : "no task type recognised and no default profile");
    }

    bool TryProfile(string taskType, string fingerprint, string method, out BudgetProfile? profile, out string? path)
    {
        path = _store.PathFor(fingerprint, taskType, method);
        profile = null;
        if (!File.Exists(path)) return false;
        var written = File.GetLastWriteTimeUtc(path);
        if (_loaded.TryGetValue(path, out var cached) && cached.WrittenUtc == written)
        {
            profile = cached.Profile;
            return true;
        }
        if (!_store.TryFind(fingerprint, taskType, method, out profile) || profile is null) return false;
        _loaded[path] = (written, profile);
        return true;
    }

    static bool LooksLikePath(string s) =>
        s.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || s.Contains('/') || s.Contains('\\');
}
