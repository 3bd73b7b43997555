using System.Runtime.InteropServices;

namespace CoKv.LlamaCpp.Native;

/// <summary><c>struct llama_batch</c> of include/llama.h (56 bytes on x64); the arrays are owned by llama_batch_init.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaBatch
{
    public int NTokens;
    public int* Token;
    public float* Embd;
    public int* Pos;
    public int* NSeqId;
    public int** SeqId;
    public sbyte* Logits;
}
