using System.Globalization;
using CoKv.Models;

namespace CoKv.Cli.Commands;

/// <summary>
/// Issue 11's memory bound: peak RSS growth over load and generation ≤ 1.3 × (file size + an f32 KV cache at the
/// context). The growth includes the runtime's own pages (CoreCLR's and libtorch's code and static heap, measured in the
/// same process before the model loads: about 110 MiB), a constant the bound does not allow for; the line also gives
/// the model's own growth without it, so small files can be read fairly.
/// </summary>
static class MemoryBound
{
    public static string Line(ModelConfig config, string path, long context, long peakGrowthBytes, long runtimeBytes)
    {
        double file = new FileInfo(path).Length / 1048576.0;
        double kv = 2.0 * config.LayerCount * config.KvHeadCount * config.HeadDim * 4 * context / 1048576.0;
        double bound = 1.3 * (file + kv);
        double growth = peakGrowthBytes / 1048576.0, runtime = runtimeBytes / 1048576.0;
        return string.Create(CultureInfo.InvariantCulture,
            $"memory bound: peak growth {growth:F0} MiB vs 1.3 × (file {file:F0} + KV {kv:F0} at {context} tokens) = {bound:F0} MiB: {(growth <= bound ? "within" : "over")}; without the runtime's {runtime:F0} MiB: {growth - runtime:F0} MiB, {(growth - runtime <= bound ? "within" : "over")}");
    }
}
