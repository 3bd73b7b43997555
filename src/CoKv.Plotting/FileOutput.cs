namespace CoKv.Plotting;

internal static class FileOutput
{
    /// <summary>Writes the file, creating its folder: charts usually go to a fresh results directory.</summary>
    public static void Write(string path, byte[] bytes)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        File.WriteAllBytes(path, bytes);
    }
}
