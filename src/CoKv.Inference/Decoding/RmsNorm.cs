using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoKv.Decoding;

/// <summary>Root-mean-square layer norm (Zhang &amp; Sennrich 2019); the statistic is taken in f32 whatever the run dtype.</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    readonly Scalar _eps;
    readonly double _epsilon;
    public readonly Parameter weight;

    public RmsNorm(long size, double eps, ScalarType dtype) : base(nameof(RmsNorm))
    {
        _eps = eps.ToScalar();
        _epsilon = eps;
        weight = nn.Parameter(ones(size, dtype));
        register_parameter(nameof(weight), weight);
    }

    public override Tensor forward(Tensor x)
    {
        if (x.dtype == ScalarType.Float32 && weight.dtype == ScalarType.Float32 && x.is_contiguous() && x.device_type == TorchSharp.DeviceType.CPU
            && !x.requires_grad && !weight.requires_grad)
            return Rows(x);
        using var scope = NewDisposeScope();
        var x32 = x.to(float32);
        var normed = x32 * rsqrt(x32.pow(HeldScalars.Two).mean([-1], keepdim: true).add(_eps, HeldScalars.One));
        return (normed.to(x.dtype) * weight).MoveToOuterDisposeScope();
    }

    /// <summary>Inference in f32: one managed pass over the rows instead of seven tensor ops and their temporaries.</summary>
    unsafe Tensor Rows(Tensor x)
    {
        var output = empty_like(x);
        int size = (int)weight.shape[0];
        long rows = x.numel() / size;
        float* source = Kernels.TensorMemory.Float32(x), destination = Kernels.TensorMemory.Float32(output), w = Kernels.TensorMemory.Float32(weight);
        for (long r = 0; r < rows; r++) Kernels.VectorMath.RmsNorm(source + r * size, w, destination + r * size, size, _epsilon);
        return output;
    }
}
