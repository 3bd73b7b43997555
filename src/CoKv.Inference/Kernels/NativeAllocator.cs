using System.Runtime.InteropServices;

namespace CoKv.Kernels;

/// <summary>
/// The process's C allocator, which holds libtorch's tensors and the quantized weights. glibc serves allocations
/// below a threshold from its heap, and raises that threshold up to 32 MiB each time a larger block is freed: after a
/// model loads, every prefill temporary then comes from the heap, and what a chunk frees stays resident and scattered
/// between live blocks. A fixed threshold gives large blocks back to the system when freed, at the cost of a page
/// fault per fresh page on every new temporary. Measured (stop 22): 26–30 MiB less peak RSS over two requests
/// (Llama-3.2-1B Q4_K_M and SmolLM2 Q8_0 at 512 tokens), and 22% more prefill time (SmolLM2 f32, 2,048 tokens in
/// chunks of 512: 9.4 s against 7.7 s); on Llama-3.2-1B Q4_K_M at 4,096 tokens, 1,273 MiB of peak growth against
/// 1,368 without. A trade for memory-bound deployments, and process-wide, so the library leaves it to the
/// application: the cokv CLI opts in.
/// </summary>
public static partial class NativeAllocator
{
    const int M_MMAP_THRESHOLD = -3;

    /// <summary>
    /// Blocks of at least <paramref name="thresholdBytes"/> are mapped on their own and unmapped when freed (glibc's
    /// M_MMAP_THRESHOLD; the same as GLIBC_TUNABLES=glibc.malloc.mmap_threshold). False where the C library is not
    /// glibc or refuses.
    /// </summary>
    public static bool ReturnLargeBlocksToSystem(int thresholdBytes = 256 << 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(thresholdBytes, 4096);
        if (!OperatingSystem.IsLinux()) return false;
        try { return MallOpt(M_MMAP_THRESHOLD, thresholdBytes) == 1; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);
}
