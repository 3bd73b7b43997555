namespace CoKv.Models;

/// <summary>Checks made before a tensor is read, so that absurd shapes in a corrupt file fail with a message rather than an allocation.</summary>
public static class TensorLimits
{
    public static void CheckReadable(string path, string name, IReadOnlyList<long> shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ModelFormatException($"{path}: tensor {MessageText.Quote(name)} has a negative dimension {d}.");
            try { count = checked(count * d); }
            catch (OverflowException)
            {
                throw new ModelFormatException($"{path}: tensor {MessageText.Quote(name)} has dimensions [{string.Join(", ", shape)}] whose element count overflows.");
            }
        }
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (count > long.MaxValue / 4 || count * 4 > available)
            throw new ModelFormatException($"{path}: tensor {MessageText.Quote(name)} of shape [{string.Join(", ", shape)}] would need {FormatBytes(count, 4)} as f32, more than the {available:N0} bytes of memory available.");
        if (count > Array.MaxLength)
            throw new ModelFormatException($"{path}: tensor {MessageText.Quote(name)} of shape [{string.Join(", ", shape)}] has {count:N0} elements, more than one array can hold.");
    }

    static string FormatBytes(long count, int size) => count > long.MaxValue / size ? $"{count:N0} × {size} bytes" : $"{count * size:N0} bytes";
}
