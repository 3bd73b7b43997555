namespace CoKv.Kernels;

/// <summary>
/// A weight matrix [Rows, Columns] as the decode step reads it: one matrix–vector product over a range of rows, so that
/// a job can split rows over threads. F32 rows today; quantized GGUF blocks implement the same contract.
/// </summary>
public unsafe interface IRowMatrix
{
    int Rows { get; }
    int Columns { get; }

    /// <summary>Bytes read by one full product (what bounds its speed).</summary>
    long Bytes { get; }

    /// <summary>
    /// y[r] = W[r, :] · x for the rows of part [rowStart, rowEnd) of the matrix; x has <see cref="Columns"/> floats. A
    /// matrix stored in another row order (GGUF's Q/K) may take the part in its stored order and scatter the results,
    /// so parts that cover [0, Rows) together fill all of y, but one part alone need not fill y[rowStart..rowEnd).
    /// </summary>
    void Multiply(float* x, float* y, int rowStart, int rowEnd);
}

/// <summary>Row-major f32 weights (a tensor's storage, not copied).</summary>
public sealed unsafe class F32RowMatrix(float* data, int rows, int columns) : IRowMatrix
{
    public int Rows => rows;
    public int Columns => columns;
    public long Bytes => 4L * rows * columns;

    public void Multiply(float* x, float* y, int rowStart, int rowEnd)
    {
        int r = rowStart;
        // Four rows share each load of x: the product is bound by reading W, so x must stay in registers or L1.
        for (; r + 4 <= rowEnd; r += 4)
            MatVecF32.Dot4(data + (long)r * columns, columns, x, y + r);
        for (; r < rowEnd; r++)
            y[r] = VectorMath.Dot(data + (long)r * columns, x, columns);
    }
}
