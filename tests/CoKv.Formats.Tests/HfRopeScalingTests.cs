using CoKv.Models;

namespace CoKv.Formats.Tests;

public class HfRopeScalingTests
{
    [Fact]
    public void Frequency_factors_follow_hf_llama3_inverse_frequencies()
    {
        // Llama 3.1's numbers; the reference below follows HF's _compute_llama3_parameters step by step
        // (scale the inverse frequencies, then take base / scaled).
        var s = new RopeScaling(8, 1, 4, 8192);
        int dim = 128;
        double theta = 500000;
        var factors = s.FrequencyFactors(dim, theta);
        Assert.Equal(dim / 2, factors.Length);
        double lowWavelen = s.OriginalMaxPositions / s.LowFrequencyFactor, highWavelen = s.OriginalMaxPositions / s.HighFrequencyFactor;
        int low = 0, high = 0, mid = 0;
        for (int i = 0; i < factors.Length; i++)
        {
            double inv = 1 / Math.Pow(theta, (2.0 * i) / dim);
            double wavelen = 2 * Math.PI / inv;
            double scaled = wavelen > lowWavelen ? inv / s.Factor : inv;
            double smooth = (s.OriginalMaxPositions / wavelen - s.LowFrequencyFactor) / (s.HighFrequencyFactor - s.LowFrequencyFactor);
            bool medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
            if (medium) scaled = (1 - smooth) * scaled / s.Factor + smooth * scaled;
            Assert.Equal(inv / scaled, factors[i], 1e-9);
            if (wavelen > lowWavelen) low++; else if (wavelen < highWavelen) high++; else mid++;
        }
        Assert.True(low > 0 && high > 0 && mid > 0, "the test should cover all three bands");
        Assert.Equal(1, factors[0]);
        Assert.Equal(s.Factor, factors[^1]);
    }
}
