namespace CoKv.Models;

/// <summary>How a tensor is stored; <see cref="Quantized"/> is any block type other than Q8_0 (a GGUF file says which).</summary>
public enum TensorType { F32, F16, BF16, Q8_0, Quantized }

/// <summary>One stored tensor: its name in the Hugging Face naming, its shape outermost-first, its stored type.</summary>
public sealed record TensorInfo(string Name, long[] Shape, TensorType StoredType)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// Weights of a model file, read one tensor at a time straight from the (memory-mapped) file, so that loading never
/// holds two copies of the model. Names and layouts follow Hugging Face's Llama/Qwen naming
/// (<c>model.layers.0.self_attn.q_proj.weight</c>, ...), whatever the file format.
/// </summary>
public interface IWeightSource : IDisposable
{
    /// <summary>Where the weights come from (a path), for messages.</summary>
    string Source { get; }
    IReadOnlyList<TensorInfo> Tensors { get; }
    bool Contains(string name);
    TensorInfo Describe(string name);
    /// <summary>Converts the tensor to f32 into <paramref name="destination"/> (length = element count).</summary>
    void ReadFloat32(string name, Span<float> destination);
}
