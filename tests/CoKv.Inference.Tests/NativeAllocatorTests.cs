using System.Runtime.InteropServices;
using CoKv.Kernels;

namespace CoKv.Tests;

/// <summary>After <see cref="NativeAllocator.ReturnLargeBlocksToSystem"/>, a freed large block leaves the process's resident memory.</summary>
public sealed unsafe class NativeAllocatorTests
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
        long touched = Resident();
        NativeMemory.Free(block);
        long freed = Resident();
        // Other tests run beside this one; half the block is a margin their allocations cannot fill in this instant.
        Assert.True(touched - freed > bytes / 2, $"RSS fell by {(touched - freed) >> 20} MiB after freeing 24 MiB.");
    }

    static long Resident() => CoKv.Benchmarks.ProcessMemory.Resident();
}
