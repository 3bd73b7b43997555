using System.Runtime.InteropServices;

namespace CoKv.LlamaCpp.Native;

/// <summary>
/// <c>struct llama_model_params</c> of .cache/llama-cpp/include/llama.h, field by field (80 bytes on x64).
/// C <c>bool</c> is one byte: kept as <see cref="byte"/> so the struct stays blittable and can be returned by value.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaModelParams
{
    public IntPtr Devices;                  // ggml_backend_dev_t *
    public IntPtr TensorBuftOverrides;      // const llama_model_tensor_buft_override *
    public int NGpuLayers;
    public int SplitMode;                   // enum llama_split_mode
    public int LoadMode;                    // enum llama_load_mode
    public int LazyMode;                    // enum llama_lazy_mode
    public int MainGpu;
    public IntPtr TensorSplit;              // const float *
    public IntPtr ProgressCallback;
    public IntPtr ProgressCallbackUserData;
    public IntPtr KvOverrides;
    public byte VocabOnly;
    public byte CheckTensors;
    public byte UseExtraBufts;
    public byte NoHost;
    public byte NoAlloc;
    public byte LoadMtp;
}
