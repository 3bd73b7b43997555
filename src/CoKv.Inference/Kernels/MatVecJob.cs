namespace CoKv.Kernels;

/// <summary>
/// Up to three matrix–vector products that read the same input (q/k/v, or gate/up), run as one job: each thread takes
/// the same share of every matrix's rows, so one dispatch covers them all.
/// </summary>
public sealed unsafe class MatVecJob : IParallelWork, IDisposable
{
    readonly IRowMatrix?[] _matrices = new IRowMatrix?[3];
    readonly float*[] _outputs = new float*[3];
    float* _input;
    int _count;
    readonly Int8Input _int8Input = new();
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
        for (int m = 0; m < _count; m++)
        {
            var matrix = _matrices[m]!;
            int rows = matrix.Rows;
            // Shares in multiples of 4 rows, the kernels' unit.
            int start = Share(rows, index, count), end = Share(rows, index + 1, count);
            if (end <= start) continue;
            if (_int8 && matrix is QuantizedRows { UsesInt8Activations: true } blocks) blocks.MultiplyInt8(_int8Input, _outputs[m], start, end);
            else matrix.Multiply(_input, _outputs[m], start, end);
        }
    }

    /// <summary>Rounds the input to int8 once for every matrix that takes int8 activations, before the threads start.</summary>
    void PrepareInput()
    {
        bool blocks32 = false, blocks256 = false;
        for (int m = 0; m < _count; m++)
            if (_matrices[m] is QuantizedRows { UsesInt8Activations: true } blocks)
            {
                if (blocks.UsesSuperBlocks) blocks256 = true;
                else blocks32 = true;
            }
        _int8 = blocks32 || blocks256;
        if (_int8) _int8Input.Prepare(_input, _matrices[0]!.Columns, blocks32, blocks256);
    }

    static int Share(int rows, int index, int count) =>
        index == count ? rows : Math.Min(rows, (int)((long)rows * index / count) & ~3);

    /// <summary>Runs the products on <paramref name="pool"/>.</summary>
    public void Run(WorkerPool pool)
    {
        PrepareInput();
        pool.Run(this);
    }

    public void Dispose() => _int8Input.Dispose();
}
