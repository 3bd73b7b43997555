using System.Runtime.InteropServices;

namespace CoKv.Kernels;

/// <summary>
/// One product's input rounded to int8 once, in the forms the block kernels take, as ggml's CPU backend does:
/// blocks of 32 with a scale each (Q8_0/Q8_1, for the legacy types and IQ4_NL) and super-blocks of 256 with one scale and
/// sums per 16 (Q8_K, for the K-quants and IQ4_XS, whose integer dots then add up over a whole super-block before one float
/// multiply). Native memory, pinned for the worker threads.
/// </summary>
public sealed unsafe class Int8Input : IDisposable
{
    int _capacity;

    public sbyte* Q { get; private set; }
    public float* Scales { get; private set; }
    /// <summary>d · Σq per block of 32 (ggml's Q8_1 s), for types with a per-block minimum.</summary>
    public float* Sums { get; private set; }
    public sbyte* KQ { get; private set; }
    public float* KScales { get; private set; }
    /// <summary>Σq per 16 values of the Q8_K form (ggml's bsums).</summary>
    public short* KSums { get; private set; }

    /// <summary>Rounds x (n values) into the forms asked for.</summary>
    public void Prepare(float* x, int n, bool blocks32, bool blocks256)
    {
        Reserve(n);
        if (blocks32) QuantizedDot.QuantizeActivations(x, n, Q, Scales, Sums);
        if (blocks256) QuantizedDot.QuantizeActivationsK(x, n, KQ, KScales, KSums);
    }

    void Reserve(int n)
    {
        if (n <= _capacity) return;
        Free();
        _capacity = n;
        Q = (sbyte*)NativeMemory.AlignedAlloc((nuint)n, 64);
        KQ = (sbyte*)NativeMemory.AlignedAlloc((nuint)n, 64);
        Scales = (float*)NativeMemory.AlignedAlloc((nuint)(n / 32 + 1) * 4, 64);
        Sums = (float*)NativeMemory.AlignedAlloc((nuint)(n / 32 + 1) * 4, 64);
        KScales = (float*)NativeMemory.AlignedAlloc((nuint)(n / 256 + 1) * 4, 64);
        KSums = (short*)NativeMemory.AlignedAlloc((nuint)(n / 16 + 1) * 2, 64);
    }

    void Free()
    {
        if (_capacity == 0) return;
        NativeMemory.AlignedFree(Q);
        NativeMemory.AlignedFree(KQ);
        NativeMemory.AlignedFree(Scales);
        NativeMemory.AlignedFree(Sums);
        NativeMemory.AlignedFree(KScales);
        NativeMemory.AlignedFree(KSums);
        _capacity = 0;
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    ~Int8Input() => Free();
}
