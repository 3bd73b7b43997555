using static TorchSharp.torch;

namespace CoKv.Kernels;

/// <summary>
/// Raw access to a tensor's f32 storage for the managed kernels. libtorch never moves a tensor's storage, so the
/// pointer stays valid for as long as the tensor lives; only whole, contiguous CPU tensors are accepted, so that the
/// pointer and the tensor's logical layout agree.
/// </summary>
public static unsafe class TensorMemory
{
    public static float* Float32(Tensor tensor)
    {
        if (tensor.dtype != ScalarType.Float32 || tensor.device_type != TorchSharp.DeviceType.CPU || !tensor.is_contiguous())
            throw new ArgumentException($"Expected a contiguous f32 CPU tensor; got {tensor.dtype} on {tensor.device_type}.", nameof(tensor));
        fixed (byte* data = tensor.bytes) return (float*)data;
    }
}
