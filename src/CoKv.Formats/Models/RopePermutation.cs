namespace CoKv.Models;

/// <summary>
/// The row order of Q/K projections. Meta's original Llama checkpoints, llama2.c and llama.cpp's "llama" GGUFs
/// rotate adjacent pairs (x[2i], x[2i+1]); Hugging Face rotates halves (x[i], x[i + d/2]). llama.cpp's converter
/// reorders the rows of each head from HF to the pair layout; these helpers apply that reordering and its inverse.
/// </summary>
public static class RopePermutation
{
    /// <summary>The row in the pair-interleaved (GGUF/llama2.c) layout that holds HF row <paramref name="hfRow"/>.</summary>
    public static int InterleavedRowOf(int hfRow, int headDim)
    {
        int half = headDim / 2;
        int head = hfRow / headDim, r = hfRow % headDim;
        int j = r / half, i = r % half; // HF: within a head, j selects the half, i the position in it
        return head * headDim + 2 * i + j;
    }

    /// <summary>HF rotate-half layout → pair-interleaved layout (what llama.cpp's converter does).</summary>
    public static void ToInterleaved(ReadOnlySpan<float> hf, Span<float> interleaved, int rows, int columns, int headDim)
    {
        Check(hf.Length, interleaved.Length, rows, columns, headDim);
        for (int row = 0; row < rows; row++)
            hf.Slice(row * columns, columns).CopyTo(interleaved.Slice(InterleavedRowOf(row, headDim) * columns, columns));
    }

    /// <summary>Pair-interleaved layout → HF rotate-half layout.</summary>
    public static void FromInterleaved(ReadOnlySpan<float> interleaved, Span<float> hf, int rows, int columns, int headDim)
    {
        Check(hf.Length, interleaved.Length, rows, columns, headDim);
        for (int row = 0; row < rows; row++)
            interleaved.Slice(InterleavedRowOf(row, headDim) * columns, columns).CopyTo(hf.Slice(row * columns, columns));
    }

    static void Check(int a, int b, int rows, int columns, int headDim)
    {
        if (headDim <= 0 || headDim % 2 != 0 || rows % headDim != 0 || a != (long)rows * columns || b != a)
            throw new ArgumentException($"cannot permute a {rows}x{columns} projection with head dim {headDim}");
    }
}
