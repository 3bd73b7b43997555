using System.Runtime.InteropServices;
using CoKv.Kernels;

namespace CoKv.Tests;

/// <summary>After <see cref="NativeAllocator.ReturnLargeBlocksToSystem"/>, a freed large block leaves the process's memory.</summary>
public sealed unsafe partial class NativeAllocatorTests
{
    [Fact]
    public void A_freed_large_block_is_given_back()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NativeAllocator.ReturnLargeBlocksToSystem(100));
        if (!OperatingSystem.IsLinux()) return;
        Assert.True(NativeAllocator.ReturnLargeBlocksToSystem());
        // 24 MiB: below the 32 MiB that glibc's moving threshold can reach, so only a fixed threshold maps it apart.
        const int bytes = 24 << 20;
        var block = (byte*)NativeMemory.Alloc(bytes);
        for (int i = 0; i < bytes; i += 4096) block[i] = 1;
        var pages = (byte*)((nuint)block & ~(nuint)4095);
        var residency = new byte[bytes / 4096 + 2];
        fixed (byte* vector = residency)
        {
            Assert.Equal(0, MinCore(pages, bytes, vector));
            NativeMemory.Free(block);
            // The pages are no longer mapped at all: mincore refuses the range (ENOMEM). An RSS reading would be blurred
            // by the tests running beside this one; the mapping itself is not.
            Assert.Equal(-1, MinCore(pages, bytes, vector));
            Assert.Equal(12, Marshal.GetLastPInvokeError()); // ENOMEM
        }
    }

    [LibraryImport("libc", EntryPoint = "mincore", SetLastError = true)]
    private static partial int MinCore(void* address, nuint length, byte* vector);
}
