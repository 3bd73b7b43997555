using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using CoKv.Kernels;

namespace CoKv.Benchmarks;

/// <summary>
/// How fast this machine streams memory into the cores (a vectorised read-sum of 512 MiB, split over the kernels'
/// worker pool): the bound of a decode step, which reads every weight once per token.
/// </summary>
public static unsafe class MemoryBandwidth
{
    public static double ReadGigabytesPerSecond(int threads, int repeats = 3)
    {
        const long bytes = 512L << 20;
        var data = (float*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
        try
        {
            for (long i = 0; i < bytes / 4; i++) data[i] = 1;
            var job = new ReadSum(data, bytes / 4);
            var pool = WorkerPool.Shared(threads);
            double best = double.MaxValue;
            for (int r = 0; r < repeats; r++)
            {
                long started = Stopwatch.GetTimestamp();
                pool.Run(job);
                best = Math.Min(best, Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
            return bytes / best / 1e9;
        }
        finally
        {
            NativeMemory.AlignedFree(data);
        }
    }

    sealed class ReadSum(float* data, long count) : IParallelWork
    {
        public float Sink;

        public void Run(int index, int parts)
        {
            long start = count * index / parts & ~31, end = index == parts - 1 ? count : count * (index + 1) / parts & ~31;
            var a = Vector256<float>.Zero;
            var b = Vector256<float>.Zero;
            var c = Vector256<float>.Zero;
            var d = Vector256<float>.Zero;
            for (long i = start; i < end; i += 32)
            {
                a += Vector256.Load(data + i);
                b += Vector256.Load(data + i + 8);
                c += Vector256.Load(data + i + 16);
                d += Vector256.Load(data + i + 24);
            }
            Sink = Vector256.Sum(a + b + c + d);
        }
    }
}
