namespace CoKv.Kernels;

/// <summary>
/// Up to three matrix–vector products that read the same input (q/k/v, or gate/up), run as one job: each thread takes
/// the same share of every matrix's rows, so one dispatch covers them all.
/// </summary>
public sealed unsafe class MatVecJob : IParallelWork
{
    readonly IRowMatrix?[] _matrices = new IRowMatrix?[3];
    readonly float*[] _outputs = new float*[3];
    float* _input;
    int _count;
    sbyte[] _quantized = [];
    float[] _scales = [];
    float[] _sums = [];
    bool _int8;

    public void Set(float* x, IRowMatrix a, float* ya, IRowMatrix? b = null, float* yb = null, IRowMatrix? c = null, float* yc = null)
    {
        _input = x;
        _count = 0;
        Add(a, ya);
        if (b != null) Add(b, yb);
        if (c != null) Add(c, yc);
    }

    void Add(IRowMatrix m, float* y)
    {
        _matrices[_count] = m;
        _outputs[_count] = y;
        _count++;
    }

    public void Run(int index, int count)
    {
        fixed (sbyte* q = _quantized)
        fixed (float* scales = _scales)
        fixed (float* sums = _sums)
            for (int m = 0; m < _count; m++)
            {
                var matrix = _matrices[m]!;
                int rows = matrix.Rows;
                // Shares in multiples of 4 rows, the kernels' unit.
                int start = Share(rows, index, count), end = Share(rows, index + 1, count);
                if (end <= start) continue;
                if (_int8 && matrix is QuantizedRows { UsesInt8Activations: true } blocks) blocks.MultiplyInt8(q, scales, sums, _outputs[m], start, end);
                else matrix.Multiply(_input, _outputs[m], start, end);
            }
    }

    /// <summary>Quantizes the input once for every matrix that takes int8 activations, before the threads start.</summary>
    void PrepareInput()
    {
        _int8 = false;
        for (int m = 0; m < _count; m++) _int8 |= _matrices[m] is QuantizedRows { UsesInt8Activations: true };
        if (!_int8) return;
        int n = _matrices[0]!.Columns;
        if (_quantized.Length < n) _quantized = new sbyte[n];
        if (_scales.Length < n / 32)
        {
            _scales = new float[n / 32];
            _sums = new float[n / 32];
        }
        fixed (sbyte* q = _quantized)
        fixed (float* scales = _scales)
        fixed (float* sums = _sums)
            QuantizedDot.QuantizeActivations(_input, n, q, scales, sums);
    }

    static int Share(int rows, int index, int count) =>
        index == count ? rows : Math.Min(rows, (int)((long)rows * index / count) & ~3);

    /// <summary>Runs the products on <paramref name="pool"/>.</summary>
    public void Run(WorkerPool pool)
    {
        PrepareInput();
        pool.Run(this);
    }
}
