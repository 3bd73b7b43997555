namespace CoKv.LlamaCpp.Native;

/// <summary>The enum values of llama.h / ggml.h this binding sets; checked against the header of this build.</summary>
internal static class GgmlConstants
{
    public const int TypeF32 = 0;           // GGML_TYPE_F32
    public const int FlashAttnDisabled = 0; // LLAMA_FLASH_ATTN_TYPE_DISABLED
    public const int TokenNull = -1;        // LLAMA_TOKEN_NULL
}
