using System.Security.Cryptography;
using System.Text;

namespace CoKv.Datasets;

/// <summary>SHA-256 of the data a profile was estimated on, for its provenance: lowercase hex.</summary>
public static class DatasetHash
{
    public static string OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Hash of the samples as written by <see cref="TaskSampleJsonl"/>: equals <see cref="OfFile"/> of the
    /// file that writer produces, so in-memory and on-disk datasets are comparable.</summary>
    public static string OfSamples(IEnumerable<TaskSample> samples)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var s in samples)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(TaskSampleJsonl.ToJson(s)));
            sha.AppendData("\n"u8);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
