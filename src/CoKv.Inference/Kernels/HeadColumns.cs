namespace CoKv.Kernels;

/// <summary>
/// Where one KV head's tokens sit in a layer's key and value buffers (rows of headDim floats): a contiguous run, then
/// a strided run. A full cache has one run per head; the head-budgeted cache has its kept prompt tokens as a run and
/// the tokens appended since compression interleaved with the other heads' (stride = KV heads).
/// </summary>
public readonly record struct HeadColumns(int RunStart, int RunCount, int StridedStart, int StridedCount, int Stride)
{
    public int Count => RunCount + StridedCount;

    public int Row(int i) => i < RunCount ? RunStart + i : StridedStart + (i - RunCount) * Stride;
}
