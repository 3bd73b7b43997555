namespace CoKv.Generation;

/// <summary>
/// Passes generated text through while watching for stop strings. Text that could still be the start of a stop string
/// is held back until the next text rules it out, so a stop string is never partly emitted.
/// </summary>
public sealed class StopStringFilter
{
    readonly string[] _stops;
    string _pending = "";

    public StopStringFilter(IReadOnlyList<string> stopStrings)
    {
        _stops = stopStrings.Where(s => !string.IsNullOrEmpty(s)).Distinct(StringComparer.Ordinal).ToArray();
    }

    public bool Stopped { get; private set; }

    /// <summary>Adds text; returns what is now safe to emit. After a stop string appears, <see cref="Stopped"/> is set
    /// and the text from the stop string on is dropped.</summary>
    public string Push(string text)
    {
        if (Stopped) return "";
        _pending += text;
        if (_stops.Length == 0) return Take(_pending.Length);

        int earliest = -1;
        foreach (var stop in _stops)
        {
            int at = _pending.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (earliest < 0 || at < earliest)) earliest = at;
        }
        if (earliest >= 0)
        {
            Stopped = true;
            var before = _pending[..earliest];
            _pending = "";
            return before;
        }
        return Take(_pending.Length - HeldLength());
    }

    /// <summary>Everything still held back (generation ended without completing a stop string).</summary>
    public string Flush() => Stopped ? "" : Take(_pending.Length);

    /// <summary>Length of the longest end of the pending text that some stop string starts with.</summary>
    int HeldLength()
    {
        int held = 0;
        foreach (var stop in _stops)
            for (int n = Math.Min(stop.Length - 1, _pending.Length); n > held; n--)
                if (string.CompareOrdinal(_pending, _pending.Length - n, stop, 0, n) == 0)
                {
                    held = n;
                    break;
                }
        return held;
    }

    string Take(int count)
    {
        var head = _pending[..count];
        _pending = _pending[count..];
        return head;
    }
}
