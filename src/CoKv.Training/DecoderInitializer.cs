using CoKv.Decoding;
using static TorchSharp.torch;

namespace CoKv.Training;

/// <summary>GPT-2 style initialisation: N(0, 0.02), residual output projections scaled by 1/√(2·layers).</summary>
public static class DecoderInitializer
{
    public static void Initialize(Decoder decoder, int seed)
    {
        manual_seed(seed);
        using var noGrad = no_grad();
        double residualStd = 0.02 / Math.Sqrt(2.0 * decoder.Config.LayerCount);
        foreach (var (name, parameter) in decoder.named_parameters())
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal)) parameter.fill_(1.0);
            else if (name.EndsWith(".bias", StringComparison.Ordinal)) parameter.zero_();
            else if (name.EndsWith("o_proj.weight", StringComparison.Ordinal) || name.EndsWith("down_proj.weight", StringComparison.Ordinal))
                parameter.normal_(0, residualStd);
            else parameter.normal_(0, 0.02);
        }
    }
}
