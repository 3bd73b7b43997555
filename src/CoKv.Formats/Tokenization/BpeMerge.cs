namespace CoKv.Tokenization;

/// <summary>A run of the text being tokenized, linked to its neighbours (-1: none); Length 0 once merged away.</summary>
struct BpeSymbol
{
    public int Prev, Next, Start, Length;
}

/// <summary>
/// The merge loop both vocabularies share (llama.cpp's llm_tokenizer_bpe and llm_tokenizer_spm): queue every adjacent
/// pair the vocabulary ranks, merge the best (lowest rank, the leftmost on ties), queue the merged symbol's new pairs,
/// and skip pairs that went stale. What a rank is (a merge's rank, a piece's negated score) is the caller's.
/// </summary>
static class BpeMerge
{
    /// <summary>False when the vocabulary has no merge of the two adjacent symbols.</summary>
    public delegate bool PairRank<TRank>(in BpeSymbol left, in BpeSymbol right, out TRank rank);

    /// <summary>Merges <paramref name="syms"/> in place; the tokens are then the chain from symbol 0.</summary>
    public static void Run<TRank>(BpeSymbol[] syms, PairRank<TRank> rank)
    {
        var queue = new PriorityQueue<(int Left, int Right, int LeftLength, int RightLength), (TRank Rank, int Left)>();
        void TryAddPair(int left, int right)
        {
            if (left < 0 || right < 0) return;
            if (rank(syms[left], syms[right], out var r)) queue.Enqueue((left, right, syms[left].Length, syms[right].Length), (r, left));
        }

        for (var i = 1; i < syms.Length; i++) TryAddPair(i - 1, i);

        while (queue.TryDequeue(out var pair, out _))
        {
            ref var left = ref syms[pair.Left];
            ref var right = ref syms[pair.Right];
            // A symbol only grows by taking in its right neighbour, so unchanged lengths mean unchanged texts: otherwise stale.
            if (left.Length == 0 || right.Length == 0 || left.Length != pair.LeftLength || right.Length != pair.RightLength) continue;

            left.Length += right.Length;
            right.Length = 0;
            left.Next = right.Next;
            if (right.Next >= 0) syms[right.Next].Prev = pair.Left;

            TryAddPair(left.Prev, pair.Left);
            TryAddPair(pair.Left, left.Next);
        }
    }
}
