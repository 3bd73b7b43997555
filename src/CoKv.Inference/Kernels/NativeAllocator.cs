using System.Runtime.InteropServices;

namespace CoKv.Kernels;

/// <summary>
/// The process's C allocator, which holds libtorch's tensors and the quantized weights. glibc serves allocations
/// below a threshold from its heap, and raises that threshold up to 32 MiB each time a larger block is freed: after a
/// model loads, every prefill temporary then comes from the heap, and what a chunk frees stays resident and scattered
/// between live blocks (measured: 50–70 MiB more peak RSS for Llama-3.2-1B at 512 tokens over two requests). A fixed
/// threshold gives large blocks back to the system when freed, at the cost of a page fault per fresh page (about 2%
/// of a prefill's time, within this machine's noise). Process-wide, so the application decides: the cokv CLI does.
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
