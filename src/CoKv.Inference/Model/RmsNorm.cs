using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoKv.Model;

/// <summary>Root-mean-square layer norm (Zhang &amp; Sennrich 2019); the statistic is taken in f32 whatever the run dtype.</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    readonly Scalar _eps;
    public readonly Parameter weight;

    public RmsNorm(long size, double eps, ScalarType dtype) : base(nameof(RmsNorm))
    {
        _eps = eps.ToScalar();
        weight = nn.Parameter(ones(size, dtype));
        register_parameter(nameof(weight), weight);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var x32 = x.to(float32);
        var normed = x32 * rsqrt(x32.pow(HeldScalars.Two).mean([-1], keepdim: true).add(_eps, HeldScalars.One));
        return (normed.to(x.dtype) * weight).MoveToOuterDisposeScope();
    }
}
