using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CoKv.Model;

/// <summary>
/// A linear map y = x·Wᵀ + b whose weight starts uninitialised: loading a model then fills the memory once instead of
/// initialising a random matrix it would throw away (TorchSharp's Linear always initialises).
/// </summary>
public sealed class Projection : nn.Module<Tensor, Tensor>
{
    public readonly Parameter weight;
    public readonly Parameter? bias;

    public Projection(long inFeatures, long outFeatures, bool hasBias, ScalarType dtype) : base(nameof(Projection))
    {
        weight = nn.Parameter(empty(outFeatures, inFeatures, dtype));
        register_parameter(nameof(weight), weight);
        if (hasBias)
        {
            bias = nn.Parameter(zeros(outFeatures, dtype));
            register_parameter(nameof(bias), bias);
        }
    }

    public override Tensor forward(Tensor x) => nn.functional.linear(x, weight, bias);
}
