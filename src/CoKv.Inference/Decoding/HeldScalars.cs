using TorchSharp;

namespace CoKv.Decoding;

/// <summary>
/// Scalars that live as long as the process. TorchSharp 0.107 frees a Scalar's native memory in its finalizer and does
/// not keep the Scalar alive through the native call it is passed to, so a temporary one (the implicit alpha = 1 of every
/// <c>a + b</c>, the 2 of <c>pow(2)</c>, the bounds of <c>arange</c>) can be collected by a GC that another thread starts
/// during the call: libtorch then reads freed memory ("Expected false to be true … toFloat at c10/core/Scalar.h:140"
/// inside add_Tensor, or silently another value). Ops on the decode path take their Scalars from here, a field or a using.
/// </summary>
public static class HeldScalars
{
    public static readonly Scalar One = 1.ToScalar();
    public static readonly Scalar Two = 2.ToScalar();
    public static readonly Scalar Zero = 0.ToScalar();
    public static readonly Scalar NegativeInfinity = double.NegativeInfinity.ToScalar();
}
