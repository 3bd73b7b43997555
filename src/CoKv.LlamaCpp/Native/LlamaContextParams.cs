using System.Runtime.InteropServices;

namespace CoKv.LlamaCpp.Native;

/// <summary><c>struct llama_context_params</c> of include/llama.h, field by field (160 bytes on x64).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaContextParams
{
    public uint NCtx;
    public uint NBatch;
    public uint NUbatch;
    public uint NSeqMax;
    public uint NRsSeq;
    public uint NOutputsMax;
    public uint NOutputsMaxPerSeq;
    public int NThreads;
    public int NThreadsBatch;

    public int CtxType;                     // enum llama_context_type
    public int RopeScalingType;             // enum llama_rope_scaling_type
    public int PoolingType;                 // enum llama_pooling_type
    public int AttentionType;               // enum llama_attention_type
    public int FlashAttnType;               // enum llama_flash_attn_type

    public float RopeFreqBase;
    public float RopeFreqScale;
    public float YarnExtFactor;
    public float YarnAttnFactor;
    public float YarnBetaFast;
    public float YarnBetaSlow;
    public uint YarnOrigCtx;
    public float DefragThold;

    public IntPtr CbEval;
    public IntPtr CbEvalUserData;

    public int TypeK;                       // enum ggml_type
    public int TypeV;

    public IntPtr AbortCallback;
    public IntPtr AbortCallbackData;

    public byte Embeddings;
    public byte OffloadKqv;
    public byte NoPerf;
    public byte OpOffload;
    public byte SwaFull;
    public byte KvUnified;

    public IntPtr Samplers;                 // llama_sampler_seq_config *
    public nuint NSamplers;
    public IntPtr CtxOther;                 // llama_context *
}
