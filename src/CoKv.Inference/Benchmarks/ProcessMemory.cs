namespace CoKv.Benchmarks;

/// <summary>Resident memory of this process from /proc (Linux); zeros elsewhere.</summary>
public static class ProcessMemory
{
    /// <summary>VmRSS: resident bytes now.</summary>
    public static long Resident() => Read("VmRSS:");

    /// <summary>VmHWM: the peak resident bytes since the process started or since <see cref="ResetPeak"/>.</summary>
    public static long Peak() => Read("VmHWM:");

    /// <summary>Restarts the peak at the current RSS (writes 5 to /proc/self/clear_refs); false where not allowed.</summary>
    public static bool ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException) { return false; }
    }

    static long Read(string field)
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return 0;
        foreach (var line in File.ReadLines(path))
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var parts = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        return 0;
    }
}
