namespace CoKv.Profiles;

/// <summary>A profile made for one model was offered to another: head scores do not transfer between models.</summary>
public sealed class ProfileModelMismatchException(string profileFingerprint, string modelFingerprint, string? source = null)
    : InvalidOperationException(
        $"Profile{(source is null ? "" : $" '{source}'")} was made for model fingerprint '{profileFingerprint}', " +
        $"but the loaded model's fingerprint is '{modelFingerprint}'. Re-run profiling for this model.")
{
    public string ProfileFingerprint { get; } = profileFingerprint;
    public string ModelFingerprint { get; } = modelFingerprint;
}

/// <summary>
/// A profile file that cannot be used: not JSON, a field of the wrong type or range, unreadable. The message names the
/// file, the field and the value. Every error reading a profile is one of these (a file that is missing aside).
/// </summary>
public class ProfileFormatException : CoKv.Models.ModelFormatException
{
    public ProfileFormatException(string message) : base(message) { }
    public ProfileFormatException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A profile file written by a newer (or unknown) version of the schema.</summary>
public sealed class UnsupportedProfileSchemaException(int schemaVersion, string? source = null)
    : ProfileFormatException(
        $"Profile{(source is null ? "" : $" '{source}'")} has schema version {schemaVersion}; this library reads version {BudgetProfile.CurrentSchemaVersion}.")
{
    public int SchemaVersion { get; } = schemaVersion;
}
