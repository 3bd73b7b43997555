namespace CoKv.Models;

public sealed partial record RopeScaling
{
    /// <summary>
    /// Llama-3 RoPE: for each of the headDim/2 rotary frequencies, the divisor applied to the base inverse frequency
    /// θ^(-2i/d) (as Hugging Face's llama3 rope init computes it): long wavelengths are slowed by <see cref="Factor"/>,
    /// short ones are kept, and those in between are interpolated smoothly. This is also what llama.cpp stores as
    /// rope_freqs.weight.
    /// </summary>
    public double[] FrequencyFactors(int headDim, double theta)
    {
        if (headDim <= 0 || headDim % 2 != 0) throw new ArgumentOutOfRangeException(nameof(headDim), headDim, "must be positive and even");
        double lowFreqWavelen = OriginalMaxPositions / LowFrequencyFactor;
        double highFreqWavelen = OriginalMaxPositions / HighFrequencyFactor;
        var factors = new double[headDim / 2];
        for (int i = 0; i < factors.Length; i++)
        {
            double invFreq = Math.Pow(theta, -2.0 * i / headDim);
            double wavelen = 2 * Math.PI / invFreq;
            if (wavelen > lowFreqWavelen) factors[i] = Factor;
            else if (wavelen < highFreqWavelen) factors[i] = 1;
            else
            {
                double smooth = (OriginalMaxPositions / wavelen - LowFrequencyFactor) / (HighFrequencyFactor - LowFrequencyFactor);
                factors[i] = 1 / ((1 - smooth) / Factor + smooth);
            }
        }
        return factors;
    }
}
