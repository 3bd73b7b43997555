using System.Diagnostics;
using System.Runtime.InteropServices;
using CoKv.Gguf;
using CoKv.Kernels;
using CoKv.LlamaCpp;

namespace CoKv.Cli.Benchmarks;

/// <summary>One weight type's matrix–vector product on one thread: ours against ggml's kernel on the same blocks.</summary>
public sealed record KernelTiming(GgmlType Type, int Rows, int Columns, long Bytes, double OursMs, double GgmlMs, double MaxRelativeDifference)
{
    /// <summary>Our speed over ggml's (above 1: ours is faster).</summary>
    public double Ratio => GgmlMs / OursMs;

    public double OursGigabytesPerSecond => Bytes / (OursMs * 1e6);
}

/// <summary>
/// Times our int8 block kernels against ggml's vec_dot on the same quantized matrix (quantized by ggml itself from
/// random floats) and the same input, one thread, passes interleaved so both see the same machine. Activation
/// rounding is outside the timed loop on both sides: it is once per input, shared by every row.
/// </summary>
public static unsafe class KernelBenchmark
{
    public static KernelTiming Run(GgmlType type, int rows, int columns, int repeats, int seed, bool warmUp = true)
    {
        var random = new Random(seed);
        var weights = new float[(long)rows * columns];
        for (long i = 0; i < weights.LongLength; i++) weights[i] = (float)(random.NextDouble() * 2 - 1);
        var x = new float[columns];
        for (int i = 0; i < columns; i++) x[i] = (float)(random.NextDouble() * 2 - 1);

        long rowBytes = (long)GgmlCpuKernels.RowSize((int)type, columns);
        var blocks = new byte[rowBytes * rows];
        fixed (float* w = weights)
        fixed (byte* b = blocks)
            GgmlCpuKernels.Quantize((int)type, w, b, rows, columns);

        using var matrix = new QuantizedRows(type, rows, columns, blocks);
        if (!matrix.UsesInt8Activations) throw new NotSupportedException($"{type} has no int8 kernel of ours on this CPU.");
        using var input = new Int8Input();
        int activationType = GgmlCpuKernels.ActivationType((int)type);
        var activations = (byte*)NativeMemory.AlignedAlloc(GgmlCpuKernels.RowSize(activationType, columns), 64);
        var ours = new float[rows];
        var theirs = new float[rows];
        var oursMs = new List<double>();
        var ggmlMs = new List<double>();
        try
        {
            fixed (float* px = x)
            {
                input.Prepare(px, columns, !matrix.UsesSuperBlocks, matrix.UsesSuperBlocks);
                GgmlCpuKernels.QuantizeActivations(activationType, px, activations, columns);
            }
            var dot = (delegate* unmanaged<int, float*, nuint, void*, nuint, void*, nuint, int, void>)GgmlCpuKernels.DotPointer((int)type);
            fixed (float* y = ours)
            fixed (float* z = theirs)
            fixed (byte* b = blocks)
            {
                // Warm-up past the JIT's tiering (30 calls, then a background recompile) so the loops timed are the
                // optimized code a long generation runs.
                var warm = Stopwatch.StartNew();
                for (int i = 0; warmUp && (i < 60 || warm.ElapsedMilliseconds < 500); i++) matrix.MultiplyInt8(input, y, 0, Math.Min(rows, 64));
                if (warmUp) Thread.Sleep(200);
                for (int pass = 0; pass <= repeats; pass++)
                {
                    var clock = Stopwatch.StartNew();
                    matrix.MultiplyInt8(input, y, 0, rows);
                    double a = clock.Elapsed.TotalMilliseconds;
                    clock.Restart();
                    for (int r = 0; r < rows; r++) dot(columns, z + r, 0, b + r * rowBytes, 0, activations, 0, 1);
                    double g = clock.Elapsed.TotalMilliseconds;
                    if (pass == 0) continue; // warm-up: JIT tiers and caches
                    oursMs.Add(a);
                    ggmlMs.Add(g);
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(activations);
        }
        float scale = 0, diff = 0;
        for (int r = 0; r < rows; r++)
        {
            scale = MathF.Max(scale, MathF.Abs(theirs[r]));
            diff = MathF.Max(diff, MathF.Abs(ours[r] - theirs[r]));
        }
        return new KernelTiming(type, rows, columns, blocks.LongLength, Median(oursMs), Median(ggmlMs), scale > 0 ? diff / scale : diff);
    }

    static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
